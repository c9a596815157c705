# The two commands a newcomer needs: `make demo` and `make test`. Both set everything up first.
VENV ?= .venv
BIN := $(VENV)/bin
export QT_QPA_PLATFORM ?= offscreen

.PHONY: bootstrap demo test lint bench clean

bootstrap:
	@scripts/bootstrap.sh

demo: bootstrap
	$(BIN)/kiosk --config config/demo.toml demo

test: bootstrap lint
	$(BIN)/python -m pytest -q

lint: bootstrap
	$(BIN)/ruff check kiosk drivers sync tests
	$(BIN)/ruff format --check kiosk drivers sync tests
	$(BIN)/mypy

bench: bootstrap
	$(BIN)/python -m tests.bench.run

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache

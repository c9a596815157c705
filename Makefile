# The two commands a newcomer needs: `make demo` and `make test`. Both set everything up first.
VENV ?= .venv
BIN := $(VENV)/bin
export QT_QPA_PLATFORM ?= offscreen

.PHONY: bootstrap demo test lint bench install uninstall clean

bootstrap:
	@scripts/bootstrap.sh

demo: bootstrap
	$(BIN)/kiosk --config config/demo.toml demo

test: bootstrap lint
	$(BIN)/python -m pytest -q

lint: bootstrap
	$(BIN)/ruff check kiosk drivers sync central tests
	$(BIN)/ruff format --check kiosk drivers sync central tests
	$(BIN)/mypy

bench: bootstrap
	$(BIN)/python -m tests.bench.run

# Install onto this machine (as root), or into $(DESTDIR) for packaging; see scripts/install.sh.
install:
	DESTDIR="$(DESTDIR)" scripts/install.sh

# Keeps /etc/kiosk and /var/lib/kiosk; `make uninstall PURGE_DATA=1` deletes them too.
uninstall:
	DESTDIR="$(DESTDIR)" scripts/install.sh --uninstall $(if $(PURGE_DATA),--purge-data)

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache

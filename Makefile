# The two commands a newcomer needs: `make demo` and `make test`. Both set everything up first.
VENV ?= .venv
BIN := $(VENV)/bin
export QT_QPA_PLATFORM ?= offscreen

.PHONY: bootstrap demo test lint bench deb image image-test clean

bootstrap:
	@scripts/bootstrap.sh

demo: bootstrap
	$(BIN)/kiosk --config config/demo.toml demo

test: bootstrap lint
	@scripts/test.sh

lint: bootstrap
	$(BIN)/ruff check kiosk drivers sync central tests
	$(BIN)/ruff format --check kiosk drivers sync central tests
	$(BIN)/mypy

bench: bootstrap
	$(BIN)/python -m tests.bench.run

# The totem as a town installs it (DESIGN.md section 14, docs/technician.md):
# dist/kiosk_<version>_amd64.deb, built by dpkg-buildpackage with dh-virtualenv;
deb: bootstrap
	scripts/deb.sh

# dist/totem-<version>-amd64.img and .img.zst, a UEFI disk with the package installed;
# root logs in over SSH by the public key IMAGE_SSH_KEY (a file or the key itself).
image: deb
	scripts/image.sh

# The image built with a throw-away key, booted under QEMU and used as a person would.
image-test: deb
	scripts/image-test.sh

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache build dist

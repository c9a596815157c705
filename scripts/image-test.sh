#!/usr/bin/env bash
# make image-test: the image built with a throw-away SSH key (build/image-test/), booted under
# QEMU and driven as a person would (tests/machine). TOTEM_QEMU_ACCEL=kvm where KVM works;
# TOTEM_KEEP=DIR keeps the console, the screens and QEMU's log.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build/image-test
mkdir -p "$dir"
[ -f "$dir/key" ] || ssh-keygen -q -t ed25519 -N "" -C "totem image test" -f "$dir/key"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
IMAGE_OUT="$dir/totem.img" IMAGE_SSH_KEY="$dir/key.pub" scripts/image.sh
cp "dist/kiosk_${version}_amd64.deb" "$dir/kiosk.deb"  # the upgrade test's starting point
TOTEM_IMAGE="$dir/totem.img" TOTEM_IMAGE_KEY="$dir/key" \
  exec .venv/bin/python -m pytest -q -p no:cacheprovider tests/machine

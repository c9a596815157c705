#!/usr/bin/env bash
# make test: the suite in a process (tests/unit, integration, gui) and, beside it, the booted
# totem (make image-test: the package, the image, QEMU). The two run at the same time: the
# machine's tests mostly wait on a guest, the suite mostly on its own servers and browsers, and
# one after the other they came to 27 of the 30 minutes CI allows. Both must pass. Without
# QEMU the suite runs alone and says the booted totem was not tested.
set -uo pipefail
cd "$(dirname "$0")/.."
log=build/image-test.log
mkdir -p build
machine=
if command -v qemu-system-x86_64 >/dev/null; then
  # The package first, on its own: the suite's test_deb reads it, the image installs it.
  scripts/deb.sh || exit 1
  (make --no-print-directory image-test >"$log" 2>&1; echo $? >"$log.rc") &
  machine=$!
  echo "make test: the booted totem is tested beside the suite (its output: $log)"
fi
.venv/bin/python -m pytest -q
suite=$?
if [ -z "$machine" ]; then
  echo "make test: QEMU is not installed (make bootstrap as root installs it): the booted totem was not tested"
  exit "$suite"
fi
wait "$machine"
rc=$(cat "$log.rc" 2>/dev/null || echo 1)
echo "make test: the booted totem (make image-test):"
tail -n 60 "$log"
[ "$suite" = 0 ] && [ "$rc" = 0 ]

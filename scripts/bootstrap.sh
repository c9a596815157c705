#!/usr/bin/env bash
# Set up everything `make demo` and `make test` need, from nothing, on Debian/Ubuntu:
# the Debian packages (when run as root; otherwise the exact apt-get line is printed),
# the virtual environment and the locked Python dependencies.
# Idempotent: a second run with nothing changed does nothing but check.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
# Qt's system libraries (offscreen and xcb), fonts for every UI language (Arabic included),
# the C toolchain and kernel headers evdev builds against.
DEB_PACKAGES=(
  python3-venv gcc libc6-dev linux-libc-dev
  libegl1 libgl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6
  libdbus-1-3 libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
  libxcb-xinerama0 libxrender1 libxi6
  fonts-dejavu-core fonts-noto-core fonts-material-design-icons-iconfont openssl
  chromium espeak-ng faketime postgresql
  systemd cage
  # make deb, make image, make image-test: Debian's packaging tools, the image's builders,
  # QEMU with UEFI firmware, and the SSH client that drives the booted totem.
  dpkg-dev debhelper dh-virtualenv python3-dev fakeroot
  mmdebstrap e2fsprogs dosfstools mtools fdisk grub-efi-amd64-bin zstd
  qemu-system-x86 qemu-utils ovmf openssh-client
)
DEB_PACKAGES+=(${EXTRA_DEB_PACKAGES:-})

missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "bootstrap: missing Debian packages; run as root:" >&2
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

stamp="$VENV/.bootstrap-stamp"
want=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --require-hashes --no-deps -r requirements.lock
"$VENV/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e .
echo "$want" > "$stamp"
echo "bootstrap: environment ready in $VENV"

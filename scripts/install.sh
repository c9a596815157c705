#!/usr/bin/env bash
# Install (or uninstall) Totem on this machine, or into $DESTDIR for packaging and tests.
#
#   scripts/install.sh                 install or update; idempotent
#   scripts/install.sh --uninstall     remove the program, units and rules; keep config and data
#   scripts/install.sh --uninstall --purge-data
#                                      also delete /etc/kiosk and /var/lib/kiosk (for a totem
#                                      being retired run `kiosk decommission` first: it scrubs)
#
# Layout: virtual environment /opt/kiosk (kiosk at /opt/kiosk/bin/kiosk, linked from
# /usr/local/bin/kiosk), configuration /etc/kiosk/kiosk.toml (never overwritten), secrets
# /etc/kiosk/secrets (root only; the units receive them as credentials), data /var/lib/kiosk,
# units in /etc/systemd/system, udev rules in /etc/udev/rules.d, the kiosk system user.
# With DESTDIR set nothing outside it is touched: no user, no systemctl, no apt.
set -euo pipefail
cd "$(dirname "$0")/.."

DESTDIR=${DESTDIR:-}
PYTHON=${PYTHON:-python3}
PREFIX=/opt/kiosk
D="$DESTDIR"
live=0  # installing onto this very system (root, no DESTDIR): create the user, run systemctl
[ -z "$DESTDIR" ] && [ "$(id -u)" = 0 ] && live=1
[ -z "$DESTDIR" ] && [ "$(id -u)" != 0 ] && { echo "install: run as root (or set DESTDIR)" >&2; exit 2; }

UNITS=(kiosk-ui.service kiosk-sync.service kiosk-serve.service kiosk-purge.service kiosk-purge.timer)
ENABLE=(kiosk-ui.service kiosk-sync.service kiosk-serve.service kiosk-purge.timer)
# What the totem needs at run time from Debian (the compositor, the voice, fonts, Qt's libraries).
RUNTIME_DEBS=(python3-venv cage espeak-ng fonts-dejavu-core fonts-noto-core libegl1 libgl1
  libopengl0 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3 libglib2.0-0)

say() { echo "install: $*"; }
have_systemd() { [ "$live" = 1 ] && [ -d /run/systemd/system ]; }
# put MODE SRC DEST: copy only when the content or mode differs, so a second run changes nothing.
put() {
  if cmp -s "$2" "$3" && [ "$(stat -c %a "$3")" = "$(printf %o "0$1")" ]; then return 0; fi
  install -D -m "$1" "$2" "$3"
}

uninstall() {
  local purge=${1:-0}
  if have_systemd; then
    systemctl disable --now "${ENABLE[@]}" 2>/dev/null || true
  fi
  for u in "${UNITS[@]}"; do rm -f "$D/etc/systemd/system/$u"; done
  rm -f "$D/etc/udev/rules.d/60-kiosk.rules" "$D/usr/local/bin/kiosk" \
    "$D/usr/lib/sysusers.d/kiosk.conf"
  rm -rf "$D$PREFIX" "$D/usr/share/doc/kiosk"
  have_systemd && systemctl daemon-reload || true
  if [ "$purge" = 1 ]; then
    rm -rf "$D/etc/kiosk" "$D/var/lib/kiosk"
    say "removed the program, the configuration, the secrets and the data"
  else
    say "removed the program; kept $D/etc/kiosk and $D/var/lib/kiosk (--purge-data deletes them)"
  fi
}

case "${1:-}" in
  --uninstall) [ "${2:-}" = "--purge-data" ] && uninstall 1 || uninstall 0; exit 0 ;;
  "") ;;
  *) echo "install: unknown option \"$1\" (allowed: --uninstall [--purge-data])" >&2; exit 2 ;;
esac

# -- Debian packages (only on the live system) -------------------------------------------------
if [ "$live" = 1 ] && command -v apt-get >/dev/null; then
  missing=()
  for pkg in "${RUNTIME_DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# -- The program: a virtual environment from the locked runtime dependencies --------------------
version=$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
want=$( (cat requirements-runtime.lock pyproject.toml; find kiosk drivers sync central -type f \
  \( -name '*.py' -o -name '*.html' \) -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1)
stamp="$D$PREFIX/.install-stamp"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  say "$PREFIX is up to date (kiosk $version)"
else
  say "building $PREFIX (kiosk $version)"
  build=$(mktemp -d)
  trap 'rm -rf "$build"' EXIT
  [ -x "$D$PREFIX/bin/python" ] || "$PYTHON" -m venv "$D$PREFIX"
  "$D$PREFIX/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes \
    --no-deps -r requirements-runtime.lock
  # Our own package, built from a copy of this checkout without reaching for anything else
  # (setuptools leaves build/ and an egg-info behind, whose stale entry points would shadow
  # the checkout's own).
  mkdir "$build/src"
  tar -cf - --exclude=./.git --exclude=./.venv --exclude=./.demo --exclude=./build \
    --exclude='*.egg-info' . | tar -C "$build/src" -xf -
  "$D$PREFIX/bin/python" -m pip wheel --quiet --disable-pip-version-check --no-deps \
    --no-build-isolation -w "$build" "$build/src" >/dev/null
  "$D$PREFIX/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    --force-reinstall "$build"/kiosk-*.whl
  if [ -n "$DESTDIR" ]; then
    # The scripts were written naming $DESTDIR/opt/kiosk; at run time the tree is /opt/kiosk.
    grep -rlI --null -F "$D$PREFIX" "$D$PREFIX/bin" "$D$PREFIX/pyvenv.cfg" \
      | xargs -0 -r sed -i "s|$D$PREFIX|$PREFIX|g"
  fi
  echo "$want" > "$stamp"
fi
install -d -m 755 "$D/usr/local/bin"
[ "$(readlink "$D/usr/local/bin/kiosk" 2>/dev/null)" = "$PREFIX/bin/kiosk" ] \
  || ln -sfn "$PREFIX/bin/kiosk" "$D/usr/local/bin/kiosk"

# -- The user ------------------------------------------------------------------------------------
users=$(mktemp)
cat > "$users" <<'USERS'
# Totem: the user every kiosk unit runs as; it owns /var/lib/kiosk and nothing else.
u kiosk - "Totem kiosk" /var/lib/kiosk /usr/sbin/nologin
m kiosk video
m kiosk input
m kiosk render
USERS
put 644 "$users" "$D/usr/lib/sysusers.d/kiosk.conf"
rm -f "$users"
if [ "$live" = 1 ] && ! getent passwd kiosk >/dev/null; then
  if command -v systemd-sysusers >/dev/null; then
    systemd-sysusers /usr/lib/sysusers.d/kiosk.conf
  else
    useradd --system --user-group --home-dir /var/lib/kiosk --shell /usr/sbin/nologin kiosk
  fi
  say "created the kiosk user"
fi

# -- Configuration, secrets, data ----------------------------------------------------------------
install -d -m 755 "$D/etc/kiosk"
if [ -e "$D/etc/kiosk/kiosk.toml" ]; then
  say "kept the existing /etc/kiosk/kiosk.toml"
  put 644 config/kiosk.example.toml "$D/etc/kiosk/kiosk.example.toml"
else
  install -m 644 config/kiosk.example.toml "$D/etc/kiosk/kiosk.toml"
  say "wrote /etc/kiosk/kiosk.toml from the example: edit it, then \`kiosk config check\`"
fi
install -d -m 700 "$D/etc/kiosk/secrets"
for secret in ticket-key central-token; do
  if [ ! -s "$D/etc/kiosk/secrets/$secret" ]; then
    (umask 077; "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(32))' \
      > "$D/etc/kiosk/secrets/$secret.tmp")
    mv "$D/etc/kiosk/secrets/$secret.tmp" "$D/etc/kiosk/secrets/$secret"
    say "created /etc/kiosk/secrets/$secret"
  fi
done
install -d -m 750 "$D/var/lib/kiosk"
[ "$live" = 1 ] && chown kiosk:kiosk /var/lib/kiosk

# -- Units, udev rules, documentation ------------------------------------------------------------
for u in "${UNITS[@]}"; do put 644 "systemd/$u" "$D/etc/systemd/system/$u"; done
rules="$D/etc/udev/rules.d/60-kiosk.rules"
if [ -e "$rules" ] && ! cmp -s systemd/60-kiosk.rules "$rules"; then
  put 644 systemd/60-kiosk.rules "$rules.new"
  say "kept your edited $rules; the shipped version is beside it as 60-kiosk.rules.new"
else
  put 644 systemd/60-kiosk.rules "$rules"
fi
put 644 docs/technician.md "$D/usr/share/doc/kiosk/technician.md"
put 644 README.md "$D/usr/share/doc/kiosk/README.md"

if have_systemd; then
  systemctl daemon-reload
  udevadm control --reload 2>/dev/null && udevadm trigger 2>/dev/null || true
  systemctl enable "${ENABLE[@]}" >/dev/null
  say "units enabled; start them once the configuration passes: kiosk config check &&" \
    "systemctl start ${ENABLE[*]}"
fi
say "done. Check the totem with: kiosk doctor"

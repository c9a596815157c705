#!/usr/bin/env bash
# make deb: dist/kiosk_<version>_amd64.deb, built by dpkg-buildpackage and dh-virtualenv from a
# copy of this checkout (debian/ says how). The version is pyproject.toml's; KIOSK_DEB_VERSION
# overrides it (an upgrade test's "same package, higher version"). Nothing is rebuilt when
# the sources, the lock and the packaging are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

version=${KIOSK_DEB_VERSION:-$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)}
case "$version" in
  [0-9]*) ;;
  *) echo "deb: KIOSK_DEB_VERSION \"$version\" is not a Debian version (it starts with a digit)" >&2; exit 2 ;;
esac
deb="dist/kiosk_${version}_amd64.deb"
want=$( (echo "$version"; find debian systemd config scripts/deb.sh kiosk drivers sync central \
  requirements-runtime.lock pyproject.toml README.md docs/*.md -type f ! -path '*/__pycache__/*' \
  -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1)
if [ -f "$deb" ] && [ -f "$deb.stamp" ] && [ "$(cat "$deb.stamp")" = "$want" ]; then
  echo "deb: $deb is up to date"
  exit 0
fi

for tool in dpkg-buildpackage dh_virtualenv; do
  command -v "$tool" >/dev/null || {
    echo "deb: $tool is missing: run make bootstrap as root (it installs dpkg-dev and dh-virtualenv)" >&2
    exit 2
  }
done
work=build/deb
rm -rf "$work"
mkdir -p "$work/kiosk-$version" dist
tar -cf - --exclude=./.git --exclude=./.venv --exclude=./.demo --exclude=./build \
  --exclude=./dist --exclude='*.egg-info' --exclude=__pycache__ --exclude=./.mypy_cache \
  --exclude=./.ruff_cache --exclude=./.pytest_cache --exclude=./.hypothesis . \
  | tar -C "$work/kiosk-$version" -xf -
cat > "$work/kiosk-$version/debian/changelog" <<CHANGES
kiosk ($version) stable; urgency=medium

  * Totem $version, built from pyproject.toml's version by make deb.

 -- Totem maintainers <totem@localhost>  $(date -R)
CHANGES
echo "deb: building $deb (dh-virtualenv, Debian's /usr/bin/python3)"
(cd "$work/kiosk-$version" && dpkg-buildpackage -b -us -uc --no-sign >../build.log 2>&1) || {
  tail -40 "$work/build.log" >&2
  echo "deb: the build failed; the whole log is $work/build.log" >&2
  exit 1
}
mv "$work/kiosk_${version}_amd64.deb" "$deb"
echo "$want" > "$deb.stamp"
rm -rf "$work/kiosk-$version"
echo "deb: $deb ($(du -h "$deb" | cut -f1))"

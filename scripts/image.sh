#!/usr/bin/env bash
# make image: dist/totem-<version>-amd64.img (raw GPT disk, UEFI) and its .zst, with the
# package from make deb installed. Built without systemd as PID 1 and without mounting
# anything: mmdebstrap bootstraps a directory, mkfs.ext4 -d makes the root filesystem from
# it, mtools the EFI system partition (a standalone GRUB that boots /vmlinuz), sfdisk the
# partition table. Root logs in over SSH by the public key in IMAGE_SSH_KEY (a file or the
# key itself); no password works. Per-totem secrets and SSH host keys are made at first boot.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "image: $*" >&2; exit 2; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
deb="dist/kiosk_${version}_amd64.deb"
out=${IMAGE_OUT:-dist/totem-${version}-amd64.img}
sources=${IMAGE_APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}
suite=${IMAGE_SUITE:-bookworm}

# -- The key: one clear line when it is not a public key --------------------------------------
key=${IMAGE_SSH_KEY:-}
[ -n "$key" ] || fail "IMAGE_SSH_KEY is not set: give the technicians' SSH public key (a file or the key itself)"
what="its value"  # the key itself is never repeated: a private key given by mistake stays unsaid
[ -f "$key" ] && { what="the file $key"; key=$(cat "$key"); }
keyfile=$(mktemp)
trap 'rm -f "$keyfile"' EXIT
printf '%s\n' "$key" > "$keyfile"
ssh-keygen -l -f "$keyfile" >/dev/null 2>&1 && [ "$(grep -c . "$keyfile")" = 1 ] \
  && ! grep -q "PRIVATE KEY" "$keyfile" \
  || fail "IMAGE_SSH_KEY ($what) is not an SSH public key (expected one line such as \"ssh-ed25519 AAAA... name\")"

for tool in mmdebstrap mkfs.ext4 mkfs.vfat mcopy sfdisk grub-mkstandalone zstd; do
  command -v "$tool" >/dev/null || fail "$tool is missing: run make bootstrap as root"
done
[ -f "$deb" ] || fail "$deb is missing: run make deb"
[ -f "$sources" ] || fail "IMAGE_APT_SOURCES \"$sources\" is not a file (Debian's apt sources to build from)"

# Nothing is rebuilt when the package, the image's files and the key are unchanged.
want=$( (cat "$keyfile"; echo "$suite"; find "$deb" image scripts/image.sh scripts/image-customize.sh \
  -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1)
if [ -f "$out" ] && [ -f "$out.stamp" ] && [ "$(cat "$out.stamp")" = "$want" ]; then
  echo "image: $out is up to date"
  exit 0
fi

work=build/image
# An interrupted bootstrap can leave /proc, /sys and /dev mounted inside: never rm -rf through them.
if [ -d "$work" ] && findmnt -rno TARGET | grep -q "^$(realpath "$work")/"; then
  fail "$work still has mounts from an interrupted build: umount -R $(realpath "$work")/root, then try again"
fi
rm -rf "$work"
mkdir -p "$work" "$(dirname "$out")"
root="$work/root"

# -- The root filesystem ------------------------------------------------------------------------
echo "image: bootstrapping Debian $suite with $deb"
cp "$deb" "$work/kiosk.deb"
# The package's own Depends come from the mirror; the package itself is installed by dpkg in
# the customize hook (apt cannot hand a local file into the chroot).
depends=$(dpkg-deb -f "$deb" Depends | sed 's/([^)]*)//g; s/ //g')
mmdebstrap --variant=apt --mode=root --format=directory \
  --aptopt='Acquire::Check-Valid-Until "false"' \
  --aptopt='APT::Install-Recommends "false"' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/kiosk/*' \
  --include=systemd-sysv,udev,dbus,libpam-systemd,linux-image-amd64,initramfs-tools \
  --include=openssh-server,cloud-guest-utils,fdisk,e2fsprogs,iproute2,ca-certificates,tzdata \
  --include=procps,less,nano,kmod,zstd \
  --include="$depends" \
  --customize-hook="scripts/image-customize.sh \"\$1\" \"$keyfile\" \"$work/kiosk.deb\"" \
  "$suite" "$root" "$sources" >"$work/mmdebstrap.log" 2>&1 || {
    tail -30 "$work/mmdebstrap.log" >&2
    echo "image: bootstrapping failed; the whole log is $work/mmdebstrap.log" >&2
    exit 1
  }

# -- The EFI system partition: a standalone GRUB as the removable-media loader -------------------
grub-mkstandalone -O x86_64-efi -o "$work/BOOTX64.EFI" --modules="part_gpt ext2 search_label" \
  --locales= --themes= --fonts= "boot/grub/grub.cfg=image/grub.cfg"
esp_mib=64
truncate -s ${esp_mib}M "$work/esp.img"
mkfs.vfat -F 32 -n TOTEM-ESP "$work/esp.img" >/dev/null
mmd -i "$work/esp.img" ::/EFI ::/EFI/BOOT
mcopy -i "$work/esp.img" "$work/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI

# -- The root filesystem image: its contents plus room, grown to the disk at first boot ---------
used_mib=$(du -sm --apparent-size "$root" | cut -f1)
root_mib=$(( used_mib * 13 / 10 + 256 ))
mkfs.ext4 -q -L totem-root -d "$root" "$work/root.img" ${root_mib}M

# -- The disk: GPT, ESP at 1 MiB, root after it, the backup table at the end --------------------
disk_mib=$(( 1 + esp_mib + root_mib + 1 ))
rm -f "$out"
truncate -s ${disk_mib}M "$out"
sfdisk --quiet "$out" <<TABLE
label: gpt
start=1MiB, size=${esp_mib}MiB, type=U, name="esp"
start=$(( 1 + esp_mib ))MiB, size=${root_mib}MiB, type=4f68bce3-e8cd-4db1-96e7-fbcaf984b709, name="totem-root"
TABLE
dd if="$work/esp.img" of="$out" bs=1M seek=1 conv=notrunc,sparse status=none
dd if="$work/root.img" of="$out" bs=1M seek=$(( 1 + esp_mib )) conv=notrunc,sparse status=none
zstd -q -f -T0 -3 "$out" -o "$out.zst"
rm -rf "$work"
echo "$want" > "$out.stamp"
echo "image: $out ($(du -h --apparent-size "$out" | cut -f1) raw, $(du -h "$out.zst" | cut -f1) compressed)"

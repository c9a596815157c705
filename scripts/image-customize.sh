#!/usr/bin/env bash
# mmdebstrap's customize hook for make image: ROOT KEYFILE. Lays image/overlay over the
# bootstrapped root and makes it a totem: SSH by key only, DHCP, the first-boot unit, no
# secret, host key or machine id shared by the totems flashed from this image.
set -euo pipefail
root=$1
keyfile=$2
deb=$3
cd "$(dirname "$0")/.."

# The package (its Depends are in already), as a technician's dpkg would install it.
cp "$deb" "$root/tmp/kiosk.deb"
chroot "$root" dpkg --install /tmp/kiosk.deb
rm -f "$root/tmp/kiosk.deb"

cp -a image/overlay/. "$root/"
# The initramfs with the overlay's check for a disk smaller than the image.
chroot "$root" update-initramfs -u -k all >/dev/null
echo totem > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\ttotem\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
  > "$root/etc/hosts"
cat > "$root/etc/fstab" <<'FSTAB'
# Totem image: the root is grown to the disk at boot (totem-firstboot.service).
LABEL=totem-root  /  ext4  defaults,errors=remount-ro  0  1
FSTAB

install -d -m 700 "$root/root/.ssh"
install -m 600 "$keyfile" "$root/root/.ssh/authorized_keys"
chroot "$root" passwd --lock root >/dev/null
rm -f "$root"/etc/ssh/ssh_host_*

chroot "$root" systemctl enable --quiet systemd-networkd.service totem-firstboot.service ssh.service
chroot "$root" systemctl set-default --quiet graphical.target
# No login on a serial line: a totem's serial port may be its printer; technicians use SSH.
ln -sf /dev/null "$root/etc/systemd/system/serial-getty@.service"

# Made at first boot, per totem: secrets (kiosk-secrets.service), SSH host keys
# (totem-firstboot.service), the machine id (systemd).
rm -f "$root"/etc/kiosk/secrets/*
echo uninitialized > "$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
rm -rf "$root"/var/cache/apt/*.bin "$root"/var/log/*.log "$root"/tmp/*

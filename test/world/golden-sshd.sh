#!/bin/sh
# Starts a tree's own sshd chrooted into it, so that over ssh the tree looks like a real machine.
# Run it in a private mount namespace (unshare -m --propagation private): its mounts vanish with it.
# Arguments: ROOT (the tree), CONFIG_DIR (a host folder holding sshd_config and authorized_keys).
set -eu
root=$1
config_dir=$2

# Bind the tree onto itself so that / inside the chroot is a mount point findmnt can see.
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
# Test-only files go to a tmpfs on /run, as on a booted machine, so the tree itself stays unchanged.
mount -t tmpfs -o mode=0755 tmpfs "$root/run"
mkdir -p "$root/run/sshd" "$root/run/sisuite-test"
cp "$config_dir/sshd_config" "$config_dir/authorized_keys" "$root/run/sisuite-test/"
exec chroot "$root" /usr/sbin/sshd -D -e -f /run/sisuite-test/sshd_config

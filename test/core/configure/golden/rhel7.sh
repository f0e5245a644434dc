#!/bin/sh
# shellcheck disable=SC2016 # file contents are single-quoted on purpose: nothing in them expands
# sisuite configure plan for node001 (Red Hat Enterprise Linux Server 7.9 (Maipo)).
# Generated; applies to the root tree at $TARGET (default /a).
: "${TARGET:=/a}"

si_cfg_digest() {
	sha256sum < "$1" | cut -d ' ' -f 1
}

# si_cfg_write PATH MODE < CONTENT: replaces the file only when its content differs.
si_cfg_write() {
	si_cfg_dest=$TARGET$1
	mkdir -p "$(dirname "$si_cfg_dest")" || return 1
	cat > "$si_cfg_dest.si-new" || return 1
	chmod "$2" "$si_cfg_dest.si-new" || return 1
	if [ -f "$si_cfg_dest" ] && [ ! -L "$si_cfg_dest" ] && cmp -s "$si_cfg_dest.si-new" "$si_cfg_dest"; then
		rm -f "$si_cfg_dest.si-new" && chmod "$2" "$si_cfg_dest"
	else
		mv -f "$si_cfg_dest.si-new" "$si_cfg_dest"
	fi
}

si_cfg_link() {
	si_cfg_dest=$TARGET$1
	if [ -L "$si_cfg_dest" ] && [ "$(readlink "$si_cfg_dest")" = "$2" ]; then
		return 0
	fi
	mkdir -p "$(dirname "$si_cfg_dest")" && rm -f "$si_cfg_dest" && ln -s "$2" "$si_cfg_dest"
}

si_cfg_remove() {
	if [ -e "$TARGET$1" ] || [ -L "$TARGET$1" ]; then
		rm -f "$TARGET$1"
	fi
}

# si_cfg_machine_id PATH GOLDEN-SHA256...: a fresh id unless the file holds one that is not the golden's.
si_cfg_machine_id() {
	si_cfg_path=$1
	shift
	if [ -f "$TARGET$si_cfg_path" ]; then
		si_cfg_sum=$(si_cfg_digest "$TARGET$si_cfg_path")
		si_cfg_golden=no
		for si_cfg_g in "$@"; do
			if [ "$si_cfg_sum" = "$si_cfg_g" ]; then
				si_cfg_golden=yes
			fi
		done
		if [ "$si_cfg_golden" = no ]; then
			return 0
		fi
	fi
	# The kernel's random v4 UUID without dashes is exactly systemd's machine-id format.
	if [ -r /proc/sys/kernel/random/uuid ]; then
		si_cfg_id=$(tr -d '-' < /proc/sys/kernel/random/uuid)
	else
		si_cfg_id=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	fi
	printf '%s\n' "$si_cfg_id" | si_cfg_write "$si_cfg_path" 0444
}

si_cfg_drop_golden() {
	if [ -f "$TARGET$1" ] && [ "$(si_cfg_digest "$TARGET$1")" = "$2" ]; then
		rm -f "$TARGET$1"
	fi
}

# si_cfg_record PATH HOST GLOB...: the digests of the host's identity files.
si_cfg_record() {
	si_cfg_rec=$1
	si_cfg_host=$2
	shift 2
	{
		LC_ALL=C
		printf '%s\n' '# sisuite: host identity files generated for this host; configure keeps them while these digests match' "host $si_cfg_host"
		for si_cfg_glob in "$@"; do
			# shellcheck disable=SC2086 # the glob is meant to expand
			for si_cfg_f in "$TARGET"$si_cfg_glob; do
				if [ -f "$si_cfg_f" ]; then
					printf '%s  %s\n' "$(si_cfg_digest "$si_cfg_f")" "${si_cfg_f#"$TARGET"}"
				fi
			done
		done
	} | si_cfg_write "$si_cfg_rec" 0644
}

si_configure_identity() {
	si_cfg_machine_id '/etc/machine-id' '6ed6653dba3d6aee8110c6e23de37f15c609b8a6e29aa164d1acace604e5cb7e' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_ed25519_key' 'bb15109c283c64c47d636e237d908de9325f0c41ff0a09bc838d5145bec7bf8f' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_ed25519_key.pub' '5525dae46e942940b36a1fcbeeeadb04c8f7fd118b560e2d966d86c4096aac50' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_rsa_key' '158c3b87d53331dbd608beb26368df5a00993fada5774be737baba9986bf285a' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_rsa_key.pub' '17e32f6953db3cef8cb13455bc6b8a7daa34ea4f68708a48e13d4d1b56f25c83' || return 1
	si_cfg_drop_golden '/var/lib/systemd/random-seed' '0289ec64a4de747ef84d98055b8d7d97cb1f28184b05074808d460724e7c98fb' || return 1
	si_cfg_link '/var/lib/dbus/machine-id' '/etc/machine-id' || return 1
	chroot "$TARGET" 'ssh-keygen' '-A' || return 1
	si_cfg_record '/etc/sisuite/identity' 'node001' '/etc/machine-id' '/etc/ssh/ssh_host_*' || return 1
	:
}

si_configure_hostname() {
	printf '%s' 'node001
' | si_cfg_write '/etc/hostname' 0644 || return 1
	printf '%s' 'NETWORKING=yes
HOSTNAME=node001.cluster.example.org
NOZEROCONF=yes
' | si_cfg_write '/etc/sysconfig/network' 0644 || return 1
	printf '%s' '# Written by sisuite configure for node001; changes here are replaced on the next update.
127.0.0.1	localhost
10.10.0.11	node001.cluster.example.org node001

::1	localhost ip6-localhost ip6-loopback
ff02::1	ip6-allnodes
ff02::2	ip6-allrouters
' | si_cfg_write '/etc/hosts' 0644 || return 1
	:
}

si_configure_network() {
	si_cfg_remove '/etc/sysconfig/network-scripts/ifcfg-eth0' || return 1
	si_cfg_remove '/etc/udev/rules.d/70-persistent-net.rules' || return 1
	printf '%s' '# Written by sisuite configure for node001; changes here are replaced on the next update.
NAME=nic0
HWADDR=52:54:00:00:01:01
TYPE=Ethernet
ONBOOT=yes
BOOTPROTO=none
IPADDR=10.10.0.11
PREFIX=24
GATEWAY=10.10.0.1
DEFROUTE=yes
DNS1=10.10.0.1
DNS2=10.10.0.2
DOMAIN=cluster.example.org
' | si_cfg_write '/etc/sysconfig/network-scripts/ifcfg-nic0' 0644 || return 1
	printf '%s' '# Written by sisuite configure for node001; changes here are replaced on the next update.
NAME=nic1
HWADDR=52:54:00:00:01:02
TYPE=Ethernet
ONBOOT=yes
BOOTPROTO=dhcp
DOMAIN=cluster.example.org
' | si_cfg_write '/etc/sysconfig/network-scripts/ifcfg-nic1' 0644 || return 1
	:
}

si_configure_fstab() {
	printf '%s' '# Written by sisuite configure for node001; changes here are replaced on the next update.
# <file system>	<mount point>	<type>	<options>	<dump>	<pass>
UUID=a1b2c3d4-0001-4000-8000-00000000000a	/	ext4	errors=remount-ro	0	1
UUID=a1b2c3d4-0002-4000-8000-00000000000b	none	swap	sw	0	0
# Kept from the image:
fileserver:/home /home nfs4 defaults,_netdev 0 0
' | si_cfg_write '/etc/fstab' 0644 || return 1
	:
}

si_configure_initrd() {
	chroot "$TARGET" 'dracut' '--force' '--kver' '3.10.0-1160.el7.x86_64' || return 1
	:
}

si_configure_bootloader() {
	chroot "$TARGET" 'grub2-install' '--target=i386-pc' '/dev/sda' || return 1
	chroot "$TARGET" 'grub2-mkconfig' '-o' '/boot/grub2/grub.cfg' || return 1
	:
}

si_configure_locale() {
	printf '%s' 'KEYMAP=de
FONT="latarcyrheb-sun16"
' | si_cfg_write '/etc/vconsole.conf' 0644 || return 1
	si_cfg_link '/etc/localtime' '../usr/share/zoneinfo/Europe/Berlin' || return 1
	:
}

si_configure_user_exits() {
	printf '%s\n' 'warning: stage user-exits: no footprint matches (no /etc/sisuite/configure.d found); nothing written' >&2
	:
}

si_configure() {
	si_configure_identity || return 1
	si_configure_hostname || return 1
	si_configure_network || return 1
	si_configure_fstab || return 1
	si_configure_initrd || return 1
	si_configure_bootloader || return 1
	si_configure_locale || return 1
	si_configure_user_exits || return 1
	:
}

si_configure

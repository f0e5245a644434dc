#!/bin/sh
# shellcheck disable=SC2016 # file contents are single-quoted on purpose: nothing in them expands
# sisuite configure plan for node002 (Arch Linux).
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
	si_cfg_drop_golden '/etc/ssh/ssh_host_ed25519_key' 'dfdfe5700ee4a1c6546db24ba997726a1e1a951b2466ca73b7d5f771c9a42432' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_ed25519_key.pub' '5ae4e59533842669490064aa12979912a302ab36cb099a5c4a5476b3c944e692' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_rsa_key' '2256372c4f0f780ad6eb2cd9aeee8b99440c1a16dc7581cbff0967c9242d5724' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_rsa_key.pub' 'bb3f9998a4197ee372f7665a0384d27941ace43533c0fbc5ec69077af7361284' || return 1
	si_cfg_drop_golden '/var/lib/systemd/random-seed' '56c20c7bcaeecede7ee6ca7e6f2bb85b4b8b6f2022701754d87b0c587a3cff2d' || return 1
	si_cfg_drop_golden '/boot/loader/random-seed' '11549f900bc6ca764fd15f60c556b1536979740f24bc6f061754fbdf33939f15' || return 1
	chroot "$TARGET" 'ssh-keygen' '-A' || return 1
	si_cfg_record '/etc/sisuite/identity' 'node002' '/etc/machine-id' '/etc/ssh/ssh_host_*' || return 1
	:
}

si_configure_hostname() {
	printf '%s' 'node002
' | si_cfg_write '/etc/hostname' 0644 || return 1
	printf '%s' '# Written by sisuite configure for node002; changes here are replaced on the next update.
127.0.0.1	localhost
10.10.0.12	node002.cluster.example.org node002

::1	localhost ip6-localhost ip6-loopback
ff02::1	ip6-allnodes
ff02::2	ip6-allrouters
' | si_cfg_write '/etc/hosts' 0644 || return 1
	:
}

si_configure_network() {
	si_cfg_remove '/etc/systemd/network/20-wired.network' || return 1
	printf '%s' '# Written by sisuite configure for node002; changes here are replaced on the next update.
[Match]
MACAddress=52:54:00:00:02:01

[Network]
Address=10.10.0.12/24
Gateway=10.10.0.1
DNS=10.10.0.1
Domains=cluster.example.org
' | si_cfg_write '/etc/systemd/network/10-sisuite-lan0.network' 0644 || return 1
	:
}

si_configure_fstab() {
	printf '%s' '# Written by sisuite configure for node002; changes here are replaced on the next update.
# <file system>	<mount point>	<type>	<options>	<dump>	<pass>
UUID=a1b2c3d4-0001-4000-8000-00000000000a	/	ext4	errors=remount-ro	0	1
UUID=5A1B-2C3D	/boot	vfat	umask=0077	0	2
# Kept from the image:
fileserver:/home /home nfs4 defaults,_netdev 0 0
' | si_cfg_write '/etc/fstab' 0644 || return 1
	:
}

si_configure_initrd() {
	chroot "$TARGET" 'mkinitcpio' '-P' || return 1
	:
}

si_configure_bootloader() {
	printf '%s' 'title Arch Linux
linux /vmlinuz-linux
initrd /initramfs-linux.img
options root=UUID=a1b2c3d4-0001-4000-8000-00000000000a rw
' | si_cfg_write '/boot/loader/entries/arch.conf' 0644 || return 1
	chroot "$TARGET" 'bootctl' 'install' '--no-variables' || return 1
	:
}

si_configure_locale() {
	printf '%s' 'KEYMAP=de
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

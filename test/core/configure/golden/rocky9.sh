#!/bin/sh
# shellcheck disable=SC2016 # file contents are single-quoted on purpose: nothing in them expands
# sisuite configure plan for node002 (Rocky Linux 9.4 (Blue Onyx)).
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
	si_cfg_drop_golden '/etc/ssh/ssh_host_ed25519_key' '38e26025b3187e93cf3ae38a7cc1d491f5748cb2ae0b1ec631e329c19f7709ae' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_ed25519_key.pub' '7858682c1f864edf863bb18086297c6b45ba1a42a66510934292046aaf4365e5' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_rsa_key' '55899c14f20ff1c55e824c40662a863d133dc9cc96d076bfcc32f9dd054f5ca4' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_rsa_key.pub' '1f8fc65d5030e9088598b079db0b558e3ca112400d8f73635767d78ed9b4f2e7' || return 1
	si_cfg_drop_golden '/var/lib/systemd/random-seed' '33e1d240f39d0c29caa10de49c9b2c65abd1ffdb3ab19723dd76a5d1f9464f41' || return 1
	si_cfg_link '/var/lib/dbus/machine-id' '/etc/machine-id' || return 1
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
	si_cfg_remove '/etc/NetworkManager/system-connections/ens3.nmconnection' || return 1
	printf '%s' '# Written by sisuite configure for node002; changes here are replaced on the next update.
[connection]
id=sisuite-lan0
uuid=241361c8-00f7-5bcc-b727-3a4e9561c13d
type=ethernet
autoconnect=true

[ethernet]
mac-address=52:54:00:00:02:01

[ipv4]
method=manual
address1=10.10.0.12/24
gateway=10.10.0.1
dns=10.10.0.1;
dns-search=cluster.example.org;

[ipv6]
method=auto
' | si_cfg_write '/etc/NetworkManager/system-connections/sisuite-lan0.nmconnection' 0600 || return 1
	:
}

si_configure_fstab() {
	printf '%s' '# Written by sisuite configure for node002; changes here are replaced on the next update.
# <file system>	<mount point>	<type>	<options>	<dump>	<pass>
UUID=a1b2c3d4-0001-4000-8000-00000000000a	/	ext4	errors=remount-ro	0	1
UUID=a1b2c3d4-0003-4000-8000-00000000000c	/boot	xfs	defaults	0	2
UUID=5A1B-2C3D	/boot/efi	vfat	umask=0077	0	2
UUID=a1b2c3d4-0002-4000-8000-00000000000b	none	swap	sw	0	0
# Kept from the image:
fileserver:/home /home nfs4 defaults,_netdev 0 0
' | si_cfg_write '/etc/fstab' 0644 || return 1
	:
}

si_configure_initrd() {
	chroot "$TARGET" 'dracut' '--force' '--kver' '5.14.0-427.13.1.el9_4.x86_64' || return 1
	:
}

si_configure_bootloader() {
	printf '%s' 'search --no-floppy --fs-uuid --set=dev a1b2c3d4-0003-4000-8000-00000000000c
set prefix=($dev)/grub2
export $prefix
configfile $prefix/grub.cfg
' | si_cfg_write '/boot/efi/EFI/rocky/grub.cfg' 0644 || return 1
	printf '%s' 'title Rocky Linux (5.14.0-427.13.1.el9_4.x86_64) 9.4 (Blue Onyx)
version 5.14.0-427.13.1.el9_4.x86_64
linux /vmlinuz-5.14.0-427.13.1.el9_4.x86_64
initrd /initramfs-5.14.0-427.13.1.el9_4.x86_64.img $tuned_initrd
options root=UUID=a1b2c3d4-0001-4000-8000-00000000000a ro crashkernel=1G-4G:192M rhgb quiet
' | si_cfg_write '/boot/loader/entries/0123456789abcdef0123456789abcdef-5.14.0-427.13.1.el9_4.x86_64.conf' 0644 || return 1
	printf '%s' 'root=UUID=a1b2c3d4-0001-4000-8000-00000000000a ro crashkernel=1G-4G:192M rhgb quiet
' | si_cfg_write '/etc/kernel/cmdline' 0644 || return 1
	chroot "$TARGET" 'grub2-mkconfig' '-o' '/boot/grub2/grub.cfg' || return 1
	:
}

si_configure_locale() {
	printf '%s' 'KEYMAP=de
FONT="eurlatgr"
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

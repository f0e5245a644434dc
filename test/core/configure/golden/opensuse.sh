#!/bin/sh
# shellcheck disable=SC2016 # file contents are single-quoted on purpose: nothing in them expands
# sisuite configure plan for node001 (openSUSE Leap 15.5).
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
	si_cfg_drop_golden '/etc/ssh/ssh_host_ed25519_key' '17ae6d945a880e97eddb16c7edfa7e88b7254c04f2f86ec9dc98f3a5f565feea' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_ed25519_key.pub' 'd58ff69fb0e65b5d8131e9fa1a121de02f60890ad94c760427db583ef2421d63' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_rsa_key' '270e6f363a4ee1dcd83efe16449c04942cd40711e1c475c9f40da9309ae46684' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_rsa_key.pub' '2874f9be13b8e5985a5d66f32eb80b93d8be9bc5df9151227589865f91d68371' || return 1
	si_cfg_drop_golden '/var/lib/systemd/random-seed' '705f8b34d6e98a743207df100f5809b6ea1a236b16cf2b933e13e76fdd09dcb3' || return 1
	chroot "$TARGET" 'ssh-keygen' '-A' || return 1
	si_cfg_record '/etc/sisuite/identity' 'node001' '/etc/machine-id' '/etc/ssh/ssh_host_*' || return 1
	:
}

si_configure_hostname() {
	printf '%s' 'node001
' | si_cfg_write '/etc/hostname' 0644 || return 1
	printf '%s' 'node001.cluster.example.org
' | si_cfg_write '/etc/HOSTNAME' 0644 || return 1
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
	si_cfg_remove '/etc/sysconfig/network/ifcfg-eth0' || return 1
	printf '%s' '# Written by sisuite configure for node001; changes here are replaced on the next update.
STARTMODE='\''auto'\''
BOOTPROTO='\''static'\''
IPADDR='\''10.10.0.11/24'\''
' | si_cfg_write '/etc/sysconfig/network/ifcfg-nic0' 0644 || return 1
	printf '%s' '# Written by sisuite configure for node001; changes here are replaced on the next update.
STARTMODE='\''auto'\''
BOOTPROTO='\''dhcp'\''
' | si_cfg_write '/etc/sysconfig/network/ifcfg-nic1' 0644 || return 1
	printf '%s' '# Written by sisuite configure for node001; changes here are replaced on the next update.
[Match]
MACAddress=52:54:00:00:01:01

[Link]
Name=nic0
' | si_cfg_write '/etc/systemd/network/70-sisuite-nic0.link' 0644 || return 1
	printf '%s' '# Written by sisuite configure for node001; changes here are replaced on the next update.
[Match]
MACAddress=52:54:00:00:01:02

[Link]
Name=nic1
' | si_cfg_write '/etc/systemd/network/70-sisuite-nic1.link' 0644 || return 1
	printf '%s' '# Written by sisuite configure for node001; changes here are replaced on the next update.
default 10.10.0.1 - nic0
' | si_cfg_write '/etc/sysconfig/network/routes' 0644 || return 1
	printf '%s' 'NETCONFIG_MODULES_ORDER="dns-resolver dns-bind ntp-runtime"
NETCONFIG_DNS_STATIC_SERVERS="10.10.0.1 10.10.0.2"
NETCONFIG_DNS_FORWARDER="resolver"
' | si_cfg_write '/etc/sysconfig/network/config' 0644 || return 1
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
	chroot "$TARGET" 'dracut' '--force' '--kver' '5.14.21-150500.55.65-default' || return 1
	:
}

si_configure_bootloader() {
	chroot "$TARGET" 'grub2-install' '--target=i386-pc' '/dev/sda' || return 1
	chroot "$TARGET" 'grub2-mkconfig' '-o' '/boot/grub2/grub.cfg' || return 1
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

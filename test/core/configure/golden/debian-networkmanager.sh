#!/bin/sh
# shellcheck disable=SC2016 # file contents are single-quoted on purpose: nothing in them expands
# sisuite configure plan for node001 (Debian GNU/Linux 12 (bookworm)).
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
	si_cfg_drop_golden '/etc/ssh/ssh_host_ed25519_key' '870b3beb6fe4d97546131f65822e324e8b8abe67db16dac1862159c662f8011a' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_ed25519_key.pub' '0ff4b71638c1103edbf50cacb6c9abbb919f2d186c398a9763771bba33fa68ae' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_rsa_key' '2f54bcc72640d229e8d12bddcdcd4994a541df5bdbb927d2bc9c8987b699e5b7' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_rsa_key.pub' '51c8f6517a2064fe79760c67f7cef5a9bdb3e254bd9e0e0730869d6094cf07ad' || return 1
	si_cfg_drop_golden '/var/lib/systemd/random-seed' '6caee59302b72ea96e7c54f854ca22b6d7edda6b3b6fee327e3abb6b4e913c16' || return 1
	si_cfg_drop_golden '/var/lib/NetworkManager/secret_key' '8779dc79676fe7504f90392fd9dcc257a9f07f889c289177de89e0c0a3b5b574' || return 1
	si_cfg_link '/var/lib/dbus/machine-id' '/etc/machine-id' || return 1
	chroot "$TARGET" 'ssh-keygen' '-A' || return 1
	si_cfg_record '/etc/sisuite/identity' 'node001' '/etc/machine-id' '/etc/ssh/ssh_host_*' || return 1
	:
}

si_configure_hostname() {
	printf '%s' 'node001
' | si_cfg_write '/etc/hostname' 0644 || return 1
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
	si_cfg_remove '/etc/NetworkManager/system-connections/Wired connection 1.nmconnection' || return 1
	printf '%s' '# Written by sisuite configure for node001; changes here are replaced on the next update.
[connection]
id=sisuite-nic0
uuid=08e99637-7a24-59cb-af2d-b5c1e5c6c3b6
type=ethernet
autoconnect=true

[ethernet]
mac-address=52:54:00:00:01:01

[ipv4]
method=manual
address1=10.10.0.11/24
gateway=10.10.0.1
dns=10.10.0.1;10.10.0.2;
dns-search=cluster.example.org;

[ipv6]
method=auto
' | si_cfg_write '/etc/NetworkManager/system-connections/sisuite-nic0.nmconnection' 0600 || return 1
	printf '%s' '# Written by sisuite configure for node001; changes here are replaced on the next update.
[connection]
id=sisuite-nic1
uuid=c67f28d7-28b2-53b3-8b51-48bca6974561
type=ethernet
autoconnect=true

[ethernet]
mac-address=52:54:00:00:01:02

[ipv4]
method=auto
dns-search=cluster.example.org;

[ipv6]
method=auto
' | si_cfg_write '/etc/NetworkManager/system-connections/sisuite-nic1.nmconnection' 0600 || return 1
	printf '%s' '# Written by sisuite configure for node001; changes here are replaced on the next update.
# NetworkManager manages every other interface (see /etc/NetworkManager/system-connections).
source /etc/network/interfaces.d/*

auto lo
iface lo inet loopback
' | si_cfg_write '/etc/network/interfaces' 0644 || return 1
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
	printf '%s' 'RESUME=UUID=a1b2c3d4-0002-4000-8000-00000000000b
' | si_cfg_write '/etc/initramfs-tools/conf.d/resume' 0644 || return 1
	chroot "$TARGET" 'update-initramfs' '-u' '-k' 'all' || return 1
	:
}

si_configure_bootloader() {
	chroot "$TARGET" 'grub-install' '--target=i386-pc' '/dev/sda' || return 1
	chroot "$TARGET" 'update-grub' || return 1
	:
}

si_configure_locale() {
	printf '%s' 'Europe/Berlin
' | si_cfg_write '/etc/timezone' 0644 || return 1
	printf '%s' 'XKBMODEL="pc105"
XKBLAYOUT="de"
XKBVARIANT=""
' | si_cfg_write '/etc/default/keyboard' 0644 || return 1
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

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
	si_cfg_drop_golden '/etc/ssh/ssh_host_ed25519_key' 'cf3e665a33f3ca08504b688fb99eea0d0d8c695477affa407b1eacc6238b808a' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_ed25519_key.pub' '9b70183cb8708da211320f041425e967099b89b2564d992088cbaf71a0ec582b' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_rsa_key' '87f5eab99e9e1930aad02f36642f87513ef41de194a973c079dda44dcb0d3a17' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_rsa_key.pub' '351d2c2eaef85590294ba0504b8815fffa29b1a923b3a59a56704694f1f83b29' || return 1
	si_cfg_drop_golden '/var/lib/systemd/random-seed' '397f30311c41de5cd05818b92621148b524b4c13ca34f39224ebef067ccfbb28' || return 1
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
	si_cfg_remove '/etc/network/interfaces.d/50-cloud-init' || return 1
	printf '%s' '# Written by sisuite configure for node001; changes here are replaced on the next update.
# Each interface is matched by its MAC address (ifupdown interface patterns).
source /etc/network/interfaces.d/*

auto lo
iface lo inet loopback

auto mac/52:54:00:00:01:01/=nic0
iface nic0 inet static
	address 10.10.0.11/24
	gateway 10.10.0.1
	dns-nameservers 10.10.0.1 10.10.0.2
	dns-search cluster.example.org

auto mac/52:54:00:00:01:02/=nic1
iface nic1 inet dhcp
	dns-search cluster.example.org
' | si_cfg_write '/etc/network/interfaces' 0644 || return 1
	printf '%s' '# Written by sisuite configure for node001; changes here are replaced on the next update.
# /etc/network/interfaces names each interface by its MAC (auto mac/<MAC>/=<name>), which ifupdown can match
# only once the interface exists, so ifupdown-pre'\''s own wait for udev does nothing when the NIC'\''s driver is
# not in the initramfs. Wait for udev'\''s coldplug here, before ifup -a.
[Service]
ExecStartPre=-/bin/udevadm settle
' | si_cfg_write '/etc/systemd/system/networking.service.d/sisuite-settle.conf' 0644 || return 1
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
	chroot "$TARGET" 'env' 'SI_HOSTNAME=node001' 'SI_FQDN=node001.cluster.example.org' '/etc/sisuite/configure.d/10-motd' || return 1
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

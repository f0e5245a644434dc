#!/bin/sh
# shellcheck disable=SC2016 # file contents are single-quoted on purpose: nothing in them expands
# sisuite configure plan for node002 (Ubuntu 24.04 LTS).
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
	si_cfg_drop_golden '/etc/ssh/ssh_host_ed25519_key' '48b957657cec0043f2b9d0cd46d5494a2295dc95b496423ee8f4d6d6c881cfe2' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_ed25519_key.pub' '04236272042e10ff3ccb4de3ef839f2df7c4938da97c80fc4bf9418ecdb9bf73' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_rsa_key' '80c590e5f5b66e11ef1ffefbca87a5b07ede4fac284fb7cfd704a4746ab19116' || return 1
	si_cfg_drop_golden '/etc/ssh/ssh_host_rsa_key.pub' '6226df4b3d6aaf443a19765fd5d32d659fbed28e3d92de22b920fc9ca763d52c' || return 1
	si_cfg_drop_golden '/var/lib/systemd/random-seed' '0cc1d4cd3cb0e2d927249176a73f5627921d5842ded5eb7b1a14e0ee66320053' || return 1
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
	si_cfg_remove '/etc/netplan/50-cloud-init.yaml' || return 1
	printf '%s' '# Written by sisuite configure for node002; changes here are replaced on the next update.
network:
  version: 2
  renderer: networkd
  ethernets:
    lan0:
      match:
        macaddress: "52:54:00:00:02:01"
      set-name: lan0
      dhcp4: false
      addresses:
        - 10.10.0.12/24
      routes:
        - to: default
          via: 10.10.0.1
      nameservers:
        addresses: [10.10.0.1]
        search: [cluster.example.org]
' | si_cfg_write '/etc/netplan/50-sisuite.yaml' 0600 || return 1
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
	printf '%s' 'RESUME=UUID=a1b2c3d4-0002-4000-8000-00000000000b
' | si_cfg_write '/etc/initramfs-tools/conf.d/resume' 0644 || return 1
	chroot "$TARGET" 'update-initramfs' '-u' '-k' 'all' || return 1
	:
}

si_configure_bootloader() {
	chroot "$TARGET" 'grub-install' '--target=x86_64-efi' '--efi-directory=/boot/efi' '--bootloader-id=ubuntu' '--no-nvram' || return 1
	chroot "$TARGET" 'grub-install' '--target=x86_64-efi' '--efi-directory=/boot/efi' '--removable' '--no-nvram' || return 1
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

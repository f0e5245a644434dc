/**
 * What goes into the installer's initramfs (docs/installer.md). The tools come from Debian packages of the
 * machine's apt sources; their shared libraries are followed from each program's NEEDED entries.
 */

/** The packages whose programs the installer runs. */
export const TOOL_PACKAGES = [
  'busybox-static',
  'dash',
  'rsync',
  'util-linux',
  'fdisk',
  'e2fsprogs',
  'xfsprogs',
  'dosfstools',
  'mdadm',
  'lvm2',
  'dmsetup',
  'grub-common',
  'grub2-common',
  'grub-pc-bin',
  'grub-efi-amd64-bin',
  'openssh-client',
  'kmod',
  // si.post=kexec: start the installed system without a firmware reboot.
  'kexec-tools',
] as const;

/** Programs looked up by name in the tool packages' bin and sbin folders; each lands in /usr/sbin or /usr/bin. */
export const PROGRAMS = [
  'busybox',
  'dash',
  'rsync',
  'sfdisk',
  'partx',
  'blockdev',
  'mkswap',
  'lsblk',
  'findmnt',
  'mountpoint',
  'fdisk',
  'blkid',
  'wipefs',
  'mke2fs',
  'e2fsck',
  'tune2fs',
  'resize2fs',
  'mkfs.xfs',
  'xfs_admin',
  'mkfs.fat',
  'fsck.fat',
  'mdadm',
  'lvm',
  'dmsetup',
  'grub-install',
  'grub-probe',
  'grub-editenv',
  'grub-mkimage',
  'ssh',
  'kmod',
  'kexec',
] as const;

/** Names that are another program under a second name (what the packages ship as links). */
export const PROGRAM_LINKS: Record<string, string> = {
  // dash, not busybox ash, is /bin/sh: ash runs some of its own applets (modprobe) before the real program in PATH.
  sh: 'dash',
  'mkfs.ext4': 'mke2fs',
  'mkfs.ext3': 'mke2fs',
  'mkfs.ext2': 'mke2fs',
  'mkfs.vfat': 'mkfs.fat',
  'fsck.ext4': 'e2fsck',
  modprobe: 'kmod',
  insmod: 'kmod',
  lsmod: 'kmod',
  rmmod: 'kmod',
  depmod: 'kmod',
  pvcreate: 'lvm',
  vgcreate: 'lvm',
  lvcreate: 'lvm',
  vgchange: 'lvm',
  vgscan: 'lvm',
  pvscan: 'lvm',
  lvs: 'lvm',
  vgs: 'lvm',
  pvs: 'lvm',
};

/** Data folders copied whole from the packages (grub-install needs its platform modules; i386-pc holds grub-bios-setup). */
export const DATA_DIRS = ['usr/lib/grub/i386-pc', 'usr/lib/grub/x86_64-efi'] as const;

/** Modules the installer loads; their dependency closure comes from the kernel's own modules.dep. */
export const MODULES = [
  'virtio_pci',
  'virtio_net',
  'virtio_blk',
  'virtio_scsi',
  'sd_mod',
  'e1000',
  'e1000e',
  'ahci',
  'nvme',
  'crc32c_generic',
  'ext4',
  'xfs',
  'btrfs',
  'vfat',
  'nls_cp437',
  'nls_ascii',
  'md_mod',
  'raid1',
  'dm_mod',
] as const;

/** Library packages the tools pull in that the installer's programs never load (interpreters, ICU). */
const LIBRARY_STOP = /^(libperl|libpython|libicu|libgdbm|libdb5|libsqlite)/;

/** Which dependencies to follow when collecting the tools' library packages: libraries only (zlib1g is one). */
export function followDependency(name: string): boolean {
  return (/^lib[a-z0-9]/.test(name) && !LIBRARY_STOP.test(name)) || name === 'zlib1g';
}

/** The folders (relative to a package root) where programs live, most specific last. */
export const PROGRAM_DIRS = ['usr/sbin', 'usr/bin', 'sbin', 'bin'] as const;

/** Where shared libraries live in Debian packages for amd64. */
export const LIBRARY_DIRS = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu', 'lib64'] as const;

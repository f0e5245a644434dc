import type { Footprint, FootprintEdit } from '../footprint.js';

const ESP_LOADERS = ['/boot/loader', '/efi/loader', '/boot/efi/loader'];

/** Kernel command lines that name the golden client's root filesystem. */
const ROOT_UUID_EDITS: FootprintEdit[] = [
  ...['/boot/loader/entries/*.conf', '/efi/loader/entries/*.conf', '/boot/efi/loader/entries/*.conf', '/etc/kernel/cmdline'].map(
    (glob): FootprintEdit => ({ kind: 'replace', glob, pattern: 'root=UUID=[0-9a-fA-F-]+', replacement: 'root=UUID={{root.uuid}}' }),
  ),
];

const GRUB2_MKCONFIG = { argv: ['grub2-mkconfig', '-o', '/boot/grub2/grub.cfg'] };

export const BOOTLOADER_FOOTPRINTS: Footprint[] = [
  {
    id: 'grub-efi',
    stage: 'bootloader',
    label: 'GRUB',
    summary:
      'Debian/Ubuntu UEFI: `grub-install --target=x86_64-efi` (no NVRAM entry), again with `--removable` for the fallback EFI/BOOT/BOOTX64.EFI, then `update-grub`',
    detect: { all: ['/usr/sbin/grub-install', '/usr/sbin/update-grub', '/usr/lib/grub/x86_64-efi', '/boot/efi/EFI'] },
    slot: 'bootloader',
    priority: 30,
    needs: ['rootFilesystem'],
    commands: [
      { argv: ['grub-install', '--target=x86_64-efi', '--efi-directory=/boot/efi', '--bootloader-id={{system.id}}', '--no-nvram'] },
      { argv: ['grub-install', '--target=x86_64-efi', '--efi-directory=/boot/efi', '--removable', '--no-nvram'] },
      { argv: ['update-grub'] },
    ],
  },
  {
    id: 'grub-pc',
    stage: 'bootloader',
    label: 'GRUB',
    summary: 'Debian/Ubuntu BIOS: `grub-install --target=i386-pc <boot disk>`, then `update-grub`',
    detect: { all: ['/usr/sbin/grub-install', '/usr/sbin/update-grub', '/usr/lib/grub/i386-pc'] },
    slot: 'bootloader',
    priority: 20,
    needs: ['bootDisk', 'rootFilesystem'],
    commands: [{ argv: ['grub-install', '--target=i386-pc', '{{host.bootDisk}}'] }, { argv: ['update-grub'] }],
  },
  {
    id: 'grub2-efi',
    stage: 'bootloader',
    label: 'GRUB',
    summary:
      "Fedora/RHEL UEFI (signed shim and GRUB from packages): the ESP stub EFI/<vendor>/grub.cfg and BLS entries pointed at the host's filesystems, then `grub2-mkconfig -o /boot/grub2/grub.cfg`",
    detect: {
      all: ['/usr/sbin/grub2-mkconfig', '/boot/efi/EFI'],
      any: ['/usr/lib/grub/x86_64-efi', '/boot/efi/EFI/*/grubx64.efi', '/usr/share/grub2/x86_64-efi'],
    },
    slot: 'bootloader',
    priority: 30,
    needs: ['rootFilesystem'],
    edits: [
      { kind: 'replace', glob: '/boot/efi/EFI/*/grub.cfg', pattern: '(--set=dev) [0-9a-fA-F-]+', replacement: '$1 {{boot.uuid}}' },
      // The stub's prefix depends on whether /boot is a filesystem of its own on this host.
      { kind: 'replace', glob: '/boot/efi/EFI/*/grub.cfg', pattern: '^(set prefix=\\(\\$dev\\))\\S*/grub2$', replacement: '$1{{boot.prefix}}/grub2' },
      ...ROOT_UUID_EDITS,
    ],
    commands: [GRUB2_MKCONFIG],
  },
  {
    id: 'efi-fallback-missing',
    stage: 'bootloader',
    label: 'EFI fallback loader',
    summary: 'warns when a grub2 UEFI image has no fallback loader EFI/BOOT/BOOTX64.EFI (package shim-x64 provides it)',
    detect: { all: ['/usr/sbin/grub2-mkconfig', '/boot/efi/EFI/*/grubx64.efi'], none: ['/boot/efi/EFI/BOOT/BOOTX64.EFI'] },
    warning:
      'the image has no fallback loader /boot/efi/EFI/BOOT/BOOTX64.EFI (install shim-x64 on the golden client); the host boots only through an NVRAM entry',
  },
  {
    id: 'grub2-pc',
    stage: 'bootloader',
    label: 'GRUB',
    summary:
      "Fedora/RHEL/openSUSE BIOS: `grub2-install --target=i386-pc <boot disk>`, BLS entries pointed at the host's root, then `grub2-mkconfig -o /boot/grub2/grub.cfg`",
    detect: { all: ['/usr/sbin/grub2-install'], any: ['/usr/lib/grub/i386-pc', '/usr/share/grub2/i386-pc'] },
    slot: 'bootloader',
    priority: 20,
    needs: ['bootDisk', 'rootFilesystem'],
    edits: ROOT_UUID_EDITS,
    commands: [{ argv: ['grub2-install', '--target=i386-pc', '{{host.bootDisk}}'] }, GRUB2_MKCONFIG],
  },
  {
    id: 'systemd-boot',
    stage: 'bootloader',
    label: 'systemd-boot',
    summary:
      "loader entries and /etc/kernel/cmdline pointed at the host's root, then `bootctl install --no-variables` (which also writes the fallback EFI/BOOT/BOOTX64.EFI)",
    detect: { all: ['/usr/bin/bootctl'], any: ESP_LOADERS.map((dir) => `${dir}/loader.conf`) },
    slot: 'bootloader',
    priority: 40,
    needs: ['rootFilesystem'],
    edits: ROOT_UUID_EDITS,
    commands: [{ argv: ['bootctl', 'install', '--no-variables'] }],
  },
  {
    id: 'extlinux',
    stage: 'bootloader',
    label: 'extlinux',
    summary: "/boot/extlinux/extlinux.conf pointed at the host's root, `extlinux --install /boot/extlinux` and the syslinux MBR on the boot disk",
    detect: { all: ['/boot/extlinux/extlinux.conf'], any: ['/usr/bin/extlinux', '/usr/sbin/extlinux', '/sbin/extlinux'] },
    slot: 'bootloader',
    priority: 10,
    needs: ['bootDisk', 'rootFilesystem'],
    edits: [{ kind: 'replace', glob: '/boot/extlinux/extlinux.conf', pattern: 'root=UUID=[0-9a-fA-F-]+', replacement: 'root=UUID={{root.uuid}}' }],
    commands: [
      { argv: ['extlinux', '--install', '/boot/extlinux'] },
      ...['/usr/lib/syslinux/mbr/mbr.bin', '/usr/share/syslinux/mbr.bin'].map((each) => ({
        argv: ['dd', 'bs=440', 'count=1', 'conv=notrunc', 'if={{item}}', 'of={{host.bootDisk}}'],
        each,
      })),
    ],
  },
];

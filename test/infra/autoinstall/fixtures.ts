// Layouts and clients shared by the autoinstall tests.
import type { ClientRecord } from '../../../src/core/clients/client-record.js';
import { validateDiskLayout, type DiskLayout, type DiskLayoutDocument } from '../../../src/core/layout/disk-layout.js';

export function layoutOf(document: DiskLayoutDocument): DiskLayout {
  const { layout, problems } = validateDiskLayout(document);
  if (!layout) throw new Error(`bad test layout: ${JSON.stringify(problems)}`);
  return layout;
}

/** GPT for BIOS boot: bios_grub, swap, ext4 root taking the rest. */
export const GPT_LAYOUT = layoutOf({
  disks: [
    {
      select: 'first',
      table: 'gpt',
      partitions: [
        { name: 'grub', size: '1MiB', type: 'bios_grub' },
        { name: 'swap', size: '256MiB', type: 'swap' },
        { name: 'root', size: 'rest', filesystem: { type: 'ext4', label: 'root', mount: '/', mountOptions: ['errors=remount-ro'] } },
      ],
    },
  ],
});

/** MBR: ext4 /boot (bootable), xfs root over 60% of the disk, ext4 /srv for the rest. */
export const MBR_LAYOUT = layoutOf({
  disks: [
    {
      select: 'first',
      table: 'msdos',
      partitions: [
        { size: '256MiB', bootable: true, filesystem: { type: 'ext4', mount: '/boot' } },
        { size: '60%', filesystem: { type: 'xfs', mount: '/', mountOptions: ['noatime'] } },
        { size: 'rest', filesystem: { type: 'ext4', label: 'srv data', mount: '/srv', mkfsOptions: ['-m', '0'] } },
      ],
    },
  ],
});

/** UEFI: an ESP (vfat), swap, root. Rendered and plan-tested only (this host cannot mount vfat). */
export const EFI_LAYOUT = layoutOf({
  disks: [
    {
      path: '/dev/vda',
      table: 'gpt',
      partitions: [
        { name: 'esp', size: '512MiB', type: 'esp', filesystem: { type: 'vfat', mkfsOptions: ['-F', '32'], label: 'EFI', mount: '/boot/efi', mountOptions: ['umask=0077'] } },
        { name: 'swap', size: '10%', type: 'swap' },
        { name: 'root', size: 'rest', filesystem: { type: 'btrfs', mount: '/' } },
      ],
    },
  ],
});

const mirrored = (suffix: string) => ({
  select: 'first' as const,
  minSizeGiB: 2,
  table: 'gpt' as const,
  partitions: [
    { size: '1MiB', type: 'bios_grub' as const },
    { name: `boot-${suffix}`, size: '512MiB', type: 'raid' as const },
    { name: `sys-${suffix}`, size: 'rest', type: 'raid' as const },
  ],
});

/** RAID1 over two disks, LVM on the second array: rendered only (no md or dm on this host's kernel). */
export const RAID_LVM_LAYOUT = layoutOf({
  disks: [mirrored('a'), mirrored('b')],
  raid: [
    { name: 'md0', level: 1, metadata: '1.0', members: ['boot-a', 'boot-b'], filesystem: { type: 'ext4', mount: '/boot' } },
    { name: 'md1', level: 1, members: ['sys-a', 'sys-b'] },
  ],
  lvm: [
    {
      name: 'vg0',
      pvs: ['md1'],
      volumes: [
        { name: 'root', size: '4GiB', filesystem: { type: 'ext4', mount: '/' } },
        { name: 'swap', size: '10%', filesystem: { type: 'swap' } },
        { name: 'home', size: 'rest', filesystem: { type: 'xfs', mount: '/home', mountOptions: ['nodev'] } },
      ],
    },
  ],
});

export function client(n: number, overrides: Partial<ClientRecord> = {}): ClientRecord {
  const id = String(n).padStart(3, '0');
  return {
    hostname: `node${id}`,
    domain: 'cluster.test',
    ip: `10.20.${Math.floor(n / 250)}.${(n % 250) + 2}`,
    netmask: '255.255.0.0',
    gateway: '10.20.0.1',
    dns: ['10.20.0.1'],
    macs: [`52:54:00:00:${id.slice(0, 1).padStart(2, '0')}:${id.slice(1)}`],
    image: 'bookworm',
    groups: ['compute'],
    overrides: [],
    bootMode: 'install',
    installState: 'new',
    ...overrides,
  };
}

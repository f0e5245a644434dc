import { describe, expect, it } from 'vitest';
import type { CapturedLayout, CapturedPartition } from '../../../src/core/layout/captured.js';
import { capturedLayoutSchema } from '../../../src/core/layout/captured.js';
import { defaultDiskLayout } from '../../../src/core/layout/default-from-capture.js';
import { parseDiskLayout } from '../../../src/core/layout/disk-layout.js';
import { GIB, MIB, planPartitions } from '../../../src/core/layout/partition-plan.js';

const GUID = {
  esp: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
  biosGrub: '21686148-6449-6E6F-744E-656564454649',
  linux: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
  swap: '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F',
  raid: 'A19D880F-05FC-4D3B-A006-743F0F84911E',
};

/** A partition of `mib` MiB starting at `startMiB`, in 512-byte sectors as sfdisk reports them. */
function part(path: string, startMiB: number, mib: number, type: string, extra: Partial<CapturedPartition> = {}): CapturedPartition {
  const number = Number(/(\d+)$/.exec(path)?.[1]);
  return { path, number, startSector: startMiB * 2048, sizeSectors: mib * 2048, type, uuid: null, name: null, flags: [], ...extra };
}

function captured(overrides: Partial<CapturedLayout>): CapturedLayout {
  return capturedLayoutSchema.parse({
    schemaVersion: 1,
    capturedAt: '2024-01-01T00:00:00Z',
    hostname: 'golden',
    disks: [],
    raid: [],
    lvm: { volumeGroups: [], logicalVolumes: [] },
    filesystems: [],
    fstab: [],
    swap: [],
    bootloader: { kind: 'grub-pc', evidence: [] },
    boot: { kernels: [] },
    identity: { machineId: null, sshHostKeys: [] },
    warnings: [],
    ...overrides,
  });
}

const disk = (path: string, gib: number, table: 'gpt' | 'dos' | null, partitions: CapturedPartition[]) => ({
  name: path.slice(5),
  path,
  sizeBytes: gib * GIB,
  model: null,
  table,
  tableId: null,
  sectorSize: 512,
  partitions,
});
const fs = (source: string, fstype: string, mountpoint: string, options = 'rw,relatime') => ({
  source,
  fstype,
  uuid: null,
  label: null,
  mountpoint,
  options,
  local: true,
});
const fstab = (spec: string, file: string, vfstype: string, options: string) => ({ spec, file, vfstype, options, freq: 0, passno: 0 });

describe('defaultDiskLayout', () => {
  it('turns a BIOS install with an extended partition into root and swap, root taking the rest', () => {
    const layout = defaultDiskLayout(
      captured({
        disks: [
          disk('/dev/sda', 20, 'dos', [
            part('/dev/sda1', 1, 19000, '83', { flags: ['boot'] }),
            part('/dev/sda2', 19002, 1000, '5'),
            part('/dev/sda5', 19003, 999, '82'),
          ]),
        ],
        filesystems: [fs('/dev/sda1', 'ext4', '/'), { ...fs('proc', 'proc', '/proc'), local: false }],
        fstab: [fstab('UUID=1234', '/', 'ext4', 'errors=remount-ro'), fstab('UUID=5678', 'none', 'swap', 'sw')],
        swap: [{ path: '/dev/sda5', kind: 'partition', sizeBytes: 999 * MIB }],
      }),
    );
    expect(layout).toEqual({
      version: 1,
      disks: [
        {
          select: 'first',
          table: 'msdos',
          partitions: [
            { size: '999MiB', type: 'swap', filesystem: { type: 'swap', mkfsOptions: [], mountOptions: [] } },
            { size: 'rest', type: 'linux', bootable: true, filesystem: { type: 'ext4', mkfsOptions: [], mountOptions: ['errors=remount-ro'], mount: '/' } },
          ],
        },
      ],
      raid: [],
      lvm: [],
    });
    expect(planPartitions({ layout, disks: [{ path: '/dev/vda', sizeBytes: 4 * GIB }] }).disks[0]?.partitions.map((p) => p.sizeMiB)).toEqual([999, 4096 - 1 - 999]);
  });

  it('keeps a UEFI install: ESP with its options and GPT names, swap, root as the rest', () => {
    const layout = defaultDiskLayout(
      captured({
        disks: [
          disk('/dev/nvme0n1', 50, 'gpt', [
            part('/dev/nvme0n1p1', 1, 512, GUID.esp, { name: 'EFI System Partition' }),
            part('/dev/nvme0n1p2', 513, 40960, GUID.linux, { name: 'root' }),
            part('/dev/nvme0n1p3', 41473, 8192, GUID.swap),
          ]),
          disk('/dev/sdb', 500, 'gpt', [part('/dev/sdb1', 1, 1000, GUID.linux)]),
        ],
        filesystems: [fs('/dev/nvme0n1p2', 'ext3', '/'), fs('/dev/nvme0n1p1', 'vfat', '/boot/efi')],
        fstab: [fstab('UUID=A', '/boot/efi', 'vfat', 'umask=0077'), fstab('UUID=B', '/', 'ext3', 'defaults')],
      }),
    );
    expect(layout.disks).toHaveLength(1);
    expect(layout.disks[0]?.partitions).toEqual([
      { size: '512MiB', type: 'esp', filesystem: { type: 'vfat', mkfsOptions: [], mountOptions: ['umask=0077'], mount: '/boot/efi' } },
      { size: '8GiB', type: 'swap', filesystem: { type: 'swap', mkfsOptions: [], mountOptions: [] } },
      { name: 'root', size: 'rest', type: 'linux', filesystem: { type: 'ext4', mkfsOptions: [], mountOptions: [], mount: '/' } },
    ]);
  });

  it('keeps one ESP: a spare one on a second disk stays as an empty partition of its size', () => {
    const members = (d: string) => [part(`/dev/${d}1`, 1, 256, GUID.esp), part(`/dev/${d}2`, 257, 8192, GUID.raid)];
    const layout = defaultDiskLayout(
      captured({
        disks: [disk('/dev/sda', 20, 'gpt', members('sda')), disk('/dev/sdb', 20, 'gpt', members('sdb'))],
        raid: [{ device: '/dev/md0', level: 'raid1', members: ['/dev/sda2', '/dev/sdb2'] }],
        filesystems: [fs('/dev/md0', 'ext4', '/'), fs('/dev/sdb1', 'vfat', '/boot/efi')],
      }),
    );
    expect(layout.disks.map((d) => d.partitions[0])).toEqual([
      { size: '256MiB', type: 'linux' },
      { size: '256MiB', type: 'esp', filesystem: { type: 'vfat', mkfsOptions: [], mountOptions: [], mount: '/boot/efi' } },
    ]);
  });

  it('carries RAID1 and LVM over by reference, the largest volume taking the rest', () => {
    const members = (d: string) => [
      part(`/dev/${d}1`, 1, 1, GUID.biosGrub),
      part(`/dev/${d}2`, 2, 1024, GUID.raid),
      part(`/dev/${d}3`, 1026, 200000, GUID.raid),
    ];
    const layout = defaultDiskLayout(
      captured({
        disks: [disk('/dev/sda', 200, 'gpt', members('sda')), disk('/dev/sdb', 200, 'gpt', members('sdb'))],
        raid: [
          { device: '/dev/md0', level: 'raid1', members: ['/dev/sda2', '/dev/sdb2'] },
          { device: '/dev/md1', level: 'raid1', members: ['/dev/sda3', '/dev/sdb3'] },
        ],
        lvm: {
          volumeGroups: [{ name: 'vg0', sizeBytes: 195 * GIB, pvs: ['/dev/md1'] }],
          logicalVolumes: [
            { vg: 'vg0', name: 'root', sizeBytes: 20 * GIB, path: '/dev/vg0/root' },
            { vg: 'vg0', name: 'home-data', sizeBytes: 100 * GIB, path: '/dev/vg0/home-data' },
            { vg: 'vg0', name: 'swap', sizeBytes: 4 * GIB, path: '/dev/vg0/swap' },
          ],
        },
        filesystems: [fs('/dev/mapper/vg0-root', 'xfs', '/'), fs('/dev/md0', 'ext4', '/boot'), fs('/dev/mapper/vg0-home--data', 'ext4', '/home')],
        fstab: [fstab('/dev/mapper/vg0-swap', 'none', 'swap', 'sw,pri=5'), fstab('/dev/mapper/vg0-home--data', '/home', 'ext4', 'nodev,nosuid')],
        swap: [{ path: '/dev/dm-2', kind: 'partition', sizeBytes: 4 * GIB }],
      }),
    );
    expect(layout.disks.map((d) => d.partitions.map((p) => `${p.name ?? '-'} ${p.type} ${p.size}`))).toEqual([
      ['- bios_grub 1MiB', 'sda2 raid 1GiB', 'sda3 raid rest'],
      ['- bios_grub 1MiB', 'sdb2 raid 1GiB', 'sdb3 raid rest'],
    ]);
    expect(layout.raid.map((a) => [a.name, a.level, a.members, a.filesystem?.mount])).toEqual([
      ['md0', 1, ['sda2', 'sdb2'], '/boot'],
      ['md1', 1, ['sda3', 'sdb3'], undefined],
    ]);
    expect(layout.lvm).toEqual([
      {
        name: 'vg0',
        pvs: ['md1'],
        volumes: [
          { name: 'root', size: '20GiB', filesystem: { type: 'xfs', mkfsOptions: [], mountOptions: [], mount: '/' } },
          { name: 'swap', size: '4GiB', filesystem: { type: 'swap', mkfsOptions: [], mountOptions: ['pri=5'] } },
          { name: 'home-data', size: 'rest', filesystem: { type: 'ext4', mkfsOptions: [], mountOptions: ['nodev', 'nosuid'], mount: '/home' } },
        ],
      },
    ]);
    // A derived layout is an ordinary one: it reads back and plans on smaller disks.
    expect(parseDiskLayout(JSON.stringify(layout))).toEqual(layout);
    const plan = planPartitions({ layout, disks: [{ path: '/dev/vda', sizeBytes: 60 * GIB }, { path: '/dev/vdb', sizeBytes: 60 * GIB }] });
    expect(plan.raid[1]?.members).toEqual(['/dev/vda3', '/dev/vdb3']);
  });

  it('uses one filesystem per device when btrfs subvolumes are mounted', () => {
    const layout = defaultDiskLayout(
      captured({
        disks: [disk('/dev/vda', 30, 'gpt', [part('/dev/vda1', 1, 1, GUID.biosGrub), part('/dev/vda2', 2, 30000, GUID.linux)])],
        filesystems: [fs('/dev/vda2[/@home]', 'btrfs', '/home'), fs('/dev/vda2[/@]', 'btrfs', '/')],
      }),
    );
    expect(layout.disks[0]?.partitions[1]?.filesystem).toMatchObject({ type: 'btrfs', mount: '/' });
    expect(layout.disks[0]?.partitions).toHaveLength(2);
  });

  it.each([
    [
      { filesystems: [fs('/dev/sda1', 'f2fs', '/')] },
      "the golden client's disk layout cannot be used as the default: / is f2fs, which the layout format does not make; write an explicit layout.json (see docs/layout.md)",
    ],
    [{ filesystems: [fs('/dev/sda1', 'ext4', '/srv')] }, 'the derived layout is not valid: no filesystem is mounted at /'],
    [{ filesystems: [fs('/dev/sda1', 'ext4', '/'), fs('/dev/sdb', 'xfs', '/data')] }, '/dev/sdb is used as a whole disk, without a partition table'],
    [
      { filesystems: [fs('/dev/sda1', 'ext4', '/')], raid: [{ device: '/dev/md0', level: 'linear', members: ['/dev/sda2'] }] },
      '/dev/md0 is linear, which the layout format does not build',
    ],
  ])('refuses what it cannot express (%#)', (overrides, message) => {
    const disks = [
      disk('/dev/sda', 20, 'gpt', [part('/dev/sda1', 1, 10000, GUID.linux), part('/dev/sda2', 10001, 1000, GUID.raid)]),
      disk('/dev/sdb', 20, null, []),
    ];
    expect(() => defaultDiskLayout(captured({ disks, ...overrides }))).toThrow(message);
  });
});

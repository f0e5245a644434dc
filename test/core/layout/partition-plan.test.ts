import { describe, expect, it } from 'vitest';
import { parseDiskLayout } from '../../../src/core/layout/disk-layout.js';
import type { DiskInfo } from '../../../src/core/layout/partition-plan.js';
import { GIB, MIB, minimumDiskMiB, partitionDevice, planPartitions } from '../../../src/core/layout/partition-plan.js';
import { readDocExamples } from './docs-examples.js';

const examples = readDocExamples();
const example = (title: string) => parseDiskLayout(examples.get(title) as string);
const disk = (path: string, gib: number): DiskInfo => ({ path, sizeBytes: gib * GIB });
const layoutOf = (table: string, sizes: string[], extra: Record<string, unknown> = {}) =>
  parseDiskLayout(
    JSON.stringify({
      disks: [
        {
          select: 'first',
          table,
          partitions: sizes.map((size, i) => (i === 0 ? { size, filesystem: { type: 'ext4', mount: '/' } } : { size })),
          ...extra,
        },
      ],
    }),
  );
const spans = (plan: ReturnType<typeof planPartitions>, d = 0) =>
  plan.disks[d]?.partitions.map((p) => [p.startMiB, p.sizeMiB]);

describe('planPartitions: placement', () => {
  it('places the GPT example on a 20 GiB disk, keeping the last MiB for the backup table', () => {
    const plan = planPartitions({ layout: example('One GPT disk: ESP, swap and root'), disks: [disk('/dev/vda', 20)] });
    expect(plan.disks[0]).toMatchObject({ layoutIndex: 0, path: '/dev/vda', table: 'gpt', sizeMiB: 20480 });
    expect(spans(plan)).toEqual([
      [1, 512],
      [513, 4096],
      [4609, 15870],
    ]);
    expect(plan.disks[0]?.partitions.map((p) => p.device)).toEqual(['/dev/vda1', '/dev/vda2', '/dev/vda3']);
  });

  it('uses the whole MBR disk', () => {
    const plan = planPartitions({ layout: example('One MBR disk (BIOS boot)'), disks: [disk('/dev/sda', 40)] });
    expect(spans(plan)).toEqual([
      [1, 30720],
      [30721, 2048],
      [32769, 40960 - 32769],
    ]);
    expect(plan.disks[0]?.partitions[0]?.bootable).toBe(true);
  });

  it.each([
    // [table, disk MiB, sizes, expected [start, size] pairs]; usable U = D-2 (gpt) or D-1 (msdos)
    ['gpt', 1026, ['50%', 'rest'], [[1, 512], [513, 512]]],
    ['msdos', 1025, ['50%', 'rest'], [[1, 512], [513, 512]]],
    ['gpt', 1000, ['10%', '10%', '10%'], [[1, 99], [100, 99], [199, 99]]],
    ['gpt', 1000, ['100%'], [[1, 998]]],
    ['gpt', 100, ['1.5MiB', '0.5GiB'].slice(0, 1), [[1, 1]]],
    ['gpt', 3, ['rest'], [[1, 1]]],
    ['msdos', 2, ['1MiB'], [[1, 1]]],
  ])('%s disk of %i MiB with %j', (table, mib, sizes, expected) => {
    const plan = planPartitions({ layout: layoutOf(table, sizes), disks: [{ path: '/dev/sdz', sizeBytes: mib * MIB }] });
    expect(spans(plan)).toEqual(expected);
  });

  it('rounds a disk size down to whole MiB', () => {
    const plan = planPartitions({ layout: layoutOf('gpt', ['rest']), disks: [{ path: '/dev/sdz', sizeBytes: 10 * MIB + 4095 }] });
    expect(spans(plan)).toEqual([[1, 8]]);
  });

  it('stops an msdos table at 2 TiB', () => {
    const plan = planPartitions({ layout: layoutOf('msdos', ['rest']), disks: [disk('/dev/sdz', 3 * 1024)] });
    expect(spans(plan)).toEqual([[1, 2 * 1024 * 1024 - 1]]);
  });

  it('refuses a layout larger than the disk, naming the disk, the needed and the available size', () => {
    expect(() => planPartitions({ layout: layoutOf('gpt', ['20GiB', '10GiB']), disks: [disk('/dev/sda', 20)] })).toThrow(
      'disk /dev/sda (layout disks[0]) is too small: the layout needs 30722 MiB (30.0 GiB), the disk has 20480 MiB (20.0 GiB); shrink the layout or choose a larger disk',
    );
  });

  it('refuses a disk where rest would be empty or a share rounds to nothing', () => {
    expect(() => planPartitions({ layout: layoutOf('gpt', ['10MiB', 'rest']), disks: [{ path: '/dev/sda', sizeBytes: 12 * MIB }] })).toThrow(
      'the layout needs 13 MiB',
    );
    expect(() => planPartitions({ layout: layoutOf('gpt', ['1%']), disks: [{ path: '/dev/sda', sizeBytes: 50 * MIB }] })).toThrow(
      'the layout needs 102 MiB',
    );
  });

  it('mentions the msdos limit when a big disk is too small for it', () => {
    expect(() => planPartitions({ layout: layoutOf('msdos', ['3TiB']), disks: [disk('/dev/sda', 4096)] })).toThrow(
      'of which msdos can use 2 TiB',
    );
  });
});

describe('minimumDiskMiB', () => {
  const cases: [string, string[]][] = [
    ['gpt', ['512MiB', '4GiB', 'rest']],
    ['msdos', ['30GiB', '2GiB', 'rest']],
    ['gpt', ['1%']],
    ['gpt', ['33%', '33%', '33%']],
    ['gpt', ['49%', '49%', '3MiB', 'rest']],
    ['msdos', ['7%', '3GiB', '13%', 'rest']],
    ['gpt', ['1MiB', '99%']],
    ['gpt', ['100%']],
    ['msdos', ['rest']],
    ['gpt', ['1.5GiB', '17%', '1MiB']],
  ];

  it.each(cases)('%s %j: the smallest disk from which on every disk fits', (table, sizes) => {
    const layout = layoutOf(table, sizes);
    const min = minimumDiskMiB(layout.disks[0]!);
    const plan = (mib: number) => planPartitions({ layout, disks: [{ path: '/dev/x', sizeBytes: mib * MIB }] });
    expect(() => plan(min - 1)).toThrow('too small');
    for (let mib = min; mib < min + 300; mib++) plan(mib);
  });

  it('is known for the examples', () => {
    expect(minimumDiskMiB(example('One GPT disk: ESP, swap and root').disks[0]!)).toBe(512 + 4096 + 1 + 2);
    expect(minimumDiskMiB(example('LVM with volumes by size, share and rest').disks[0]!)).toBe(512 + 1024 + 1 + 2);
  });
});

describe('planPartitions: choosing disks', () => {
  const twoDisks = (a: Record<string, unknown>, b: Record<string, unknown>) =>
    parseDiskLayout(
      JSON.stringify({
        disks: [
          { ...a, table: 'gpt', partitions: [{ size: 'rest', filesystem: { type: 'ext4', mount: '/' } }] },
          { ...b, table: 'gpt', partitions: [{ size: 'rest', filesystem: { type: 'xfs', mount: '/srv' } }] },
        ],
      }),
    );
  const machine = [disk('/dev/sda', 8), disk('/dev/sdb', 500), disk('/dev/sdc', 100)];
  const chosen = (layout: ReturnType<typeof twoDisks>) => planPartitions({ layout, disks: machine }).disks.map((d) => d.path);

  it.each([
    [{ select: 'first' }, { select: 'first' }, ['/dev/sda', '/dev/sdb']],
    [{ select: 'first' }, { path: '/dev/sda' }, ['/dev/sdb', '/dev/sda']],
    [{ minSizeGiB: 50 }, { select: 'first' }, ['/dev/sdb', '/dev/sda']],
    [{ minSizeGiB: 50 }, { minSizeGiB: 50 }, ['/dev/sdb', '/dev/sdc']],
    [{ path: '/dev/sdc', minSizeGiB: 100 }, { select: 'first', minSizeGiB: 200 }, ['/dev/sdc', '/dev/sdb']],
  ])('%j + %j', (a, b, expected) => {
    expect(chosen(twoDisks(a, b))).toEqual(expected);
  });

  it.each([
    [{ path: '/dev/nvme0n1' }, { select: 'first' }, 'layout disks[0] wants /dev/nvme0n1, which this machine does not have (disks: /dev/sda 8.0 GiB, /dev/sdb 500.0 GiB, /dev/sdc 100.0 GiB); fix path or use select'],
    [{ minSizeGiB: 200 }, { minSizeGiB: 200 }, 'layout disks[1] asks for the first free disk of at least 200 GiB, and none is left (disks: /dev/sda 8.0 GiB, /dev/sdb 500.0 GiB (disks[0]), /dev/sdc 100.0 GiB)'],
    [{ path: '/dev/sda', minSizeGiB: 10 }, { select: 'first' }, 'disk /dev/sda (layout disks[0]) has 8.0 GiB, less than its minSizeGiB 10'],
  ])('refuses %j + %j', (a, b, message) => {
    expect(() => chosen(twoDisks(a, b))).toThrow(message);
  });

  it('refuses when the machine has too few disks', () => {
    const layout = twoDisks({ select: 'first' }, { select: 'first' });
    expect(() => planPartitions({ layout, disks: [disk('/dev/sda', 8)] })).toThrow('layout disks[1] asks for the first free disk, and none is left');
  });
});

describe('partitionDevice', () => {
  it.each([
    ['/dev/sda', 1, '/dev/sda1'],
    ['/dev/vdb', 12, '/dev/vdb12'],
    ['/dev/nvme0n1', 2, '/dev/nvme0n1p2'],
    ['/dev/mmcblk0', 1, '/dev/mmcblk0p1'],
    ['/dev/loop7', 3, '/dev/loop7p3'],
    ['/dev/disk/by-id/ata-X_123', 1, '/dev/disk/by-id/ata-X_123-part1'],
  ])('%s %i -> %s', (path, n, device) => {
    expect(partitionDevice(path, n)).toBe(device);
  });
});

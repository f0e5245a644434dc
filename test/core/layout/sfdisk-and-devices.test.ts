import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDiskLayout } from '../../../src/core/layout/disk-layout.js';
import { renderSfdiskInput } from '../../../src/core/layout/disk-layout-sfdisk.js';
import type { PlannedDisk } from '../../../src/core/layout/partition-plan.js';
import { GIB, planPartitions } from '../../../src/core/layout/partition-plan.js';
import { readDocExamples } from './docs-examples.js';

const examples = readDocExamples();
const plan = (title: string, gib: number[]) =>
  planPartitions({
    layout: parseDiskLayout(examples.get(title) as string),
    disks: gib.map((size, i) => ({ path: `/dev/sd${'abcd'[i]}`, sizeBytes: size * GIB })),
  });

const golden: [string, string, number[]][] = [
  ['gpt-esp-swap-root', 'One GPT disk: ESP, swap and root', [20]],
  ['msdos', 'One MBR disk (BIOS boot)', [40]],
  ['raid1', 'RAID1 over two disks', [10, 10]],
  ['lvm', 'LVM with volumes by size, share and rest', [100]],
];

describe('renderSfdiskInput', () => {
  it.each(golden)('%s', async (file, title, sizes) => {
    const text = plan(title, sizes)
      .disks.map((d) => `# ${d.path}\n${renderSfdiskInput(d)}`)
      .join('\n');
    await expect(text).toMatchFileSnapshot(`golden/${file}.sfdisk`);
  });

  const sfdisk = ['/usr/sbin/sfdisk', '/sbin/sfdisk'].find((p) => existsSync(p));

  // sfdisk partitions a plain image file, so the rendered input can be checked against the real tool.
  it.skipIf(!sfdisk).each(golden)('sfdisk writes exactly the planned table: %s', (_file, title, sizes) => {
    const dir = mkdtempSync(join(tmpdir(), 'si-sfdisk-'));
    try {
      for (const disk of plan(title, sizes).disks) {
        const image = join(dir, 'disk.img');
        writeFileSync(image, '');
        truncateSync(image, disk.sizeMiB * 1024 * 1024);
        execFileSync(sfdisk as string, ['--quiet', '--no-reread', '--no-tell-kernel', image], { input: renderSfdiskInput(disk) });
        const table = JSON.parse(execFileSync(sfdisk as string, ['--json', image], { encoding: 'utf8' })).partitiontable;
        expect(table.label).toBe(disk.table === 'gpt' ? 'gpt' : 'dos');
        expect(table.partitions.map((p: { start: number; size: number }) => [p.start, p.size])).toEqual(
          disk.partitions.map((p) => [p.startMiB * 2048, p.sizeMiB * 2048]),
        );
        expect(table.partitions.map((p: { type: string }) => p.type.toLowerCase())).toEqual(expectedTypes(disk));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function expectedTypes(disk: PlannedDisk): string[] {
  const gpt = { esp: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b', bios_grub: '21686148-6449-6e6f-744e-656564454649', swap: '0657fd6d-a4ab-43c4-84e5-0933c84b4f4f', linux: '0fc63daf-8483-4772-8e79-3d69d8477de4', raid: 'a19d880f-05fc-4d3b-a006-743f0f84911e', lvm: 'e6d6d379-f507-44c2-a23c-238f2a3df928' };
  const mbr = { esp: 'ef', bios_grub: '83', swap: '82', linux: '83', raid: 'fd', lvm: '8e' };
  return disk.partitions.map((p) => (disk.table === 'gpt' ? gpt : mbr)[p.type]);
}

describe('planPartitions: arrays, volume groups, filesystems', () => {
  it('builds RAID1 arrays from partitions on both disks', () => {
    const p = plan('RAID1 over two disks', [10, 12]);
    expect(p.raid).toEqual([
      { name: 'md0', device: '/dev/md0', level: 1, metadata: '1.0', members: ['/dev/sda2', '/dev/sdb2'], maxSizeMiB: 1024, filesystem: { type: 'ext4', mount: '/boot', mkfsOptions: [], mountOptions: [] } },
      { name: 'md1', device: '/dev/md1', level: 1, metadata: '1.2', members: ['/dev/sda3', '/dev/sdb3'], maxSizeMiB: 10240 - 2 - 1025, filesystem: { type: 'ext4', mount: '/', mkfsOptions: [], mountOptions: [] } },
    ]);
    expect(p.filesystems.map((f) => `${f.filesystem.mount} ${f.device}`)).toEqual(['/ /dev/md1', '/boot /dev/md0']);
  });

  it('plans LVM volumes with lvcreate sizes and device paths', () => {
    const p = plan('LVM with volumes by size, share and rest', [100]);
    const vg = p.volumeGroups[0];
    expect(vg?.pvs).toEqual(['/dev/sda3']);
    expect(vg?.maxSizeMiB).toBe(Math.floor((102400 - 2 - 1536 - 1) / 4) * 4);
    expect(vg?.volumes.map((v) => [v.device, ...v.lvcreateSize])).toEqual([
      ['/dev/vg0/root', '-L', '20480m'],
      ['/dev/vg0/swap', '-l', '10%VG'],
      ['/dev/vg0/var', '-l', '30%VG'],
      ['/dev/vg0/home', '-l', '100%FREE'],
    ]);
    expect(p.filesystems.map((f) => `${f.filesystem.type} ${f.filesystem.mount ?? '-'} ${f.device}`)).toEqual([
      'ext4 / /dev/vg0/root',
      'ext4 /boot /dev/sda2',
      'xfs /var /dev/vg0/var',
      'ext4 /home /dev/vg0/home',
      'vfat /boot/efi /dev/sda1',
      'swap - /dev/vg0/swap',
    ]);
  });

  it('computes array sizes per level', () => {
    const layout = (level: number, n: number) =>
      parseDiskLayout(
        JSON.stringify({
          disks: [
            {
              select: 'first',
              table: 'gpt',
              partitions: [
                { size: '1GiB', filesystem: { type: 'ext4', mount: '/' } },
                ...Array.from({ length: n }, (_, i) => ({ name: `m${i}`, size: `${100 * (i + 1)}MiB`, type: 'raid' })),
              ],
            },
          ],
          raid: [{ name: 'md0', level, members: Array.from({ length: n }, (_, i) => `m${i}`) }],
        }),
      );
    const size = (level: number, n: number) => planPartitions({ layout: layout(level, n), disks: [{ path: '/dev/sda', sizeBytes: 10 * GIB }] }).raid[0]?.maxSizeMiB;
    expect([size(0, 2), size(1, 2), size(5, 3), size(6, 4), size(10, 4)]).toEqual([200, 100, 200, 200, 200]);
  });

  it('refuses volumes that cannot fit in the volume group', () => {
    const layout = parseDiskLayout(
      JSON.stringify({
        disks: [{ select: 'first', table: 'gpt', partitions: [{ name: 'pv', size: '10GiB', type: 'lvm' }] }],
        lvm: [{ name: 'vg0', pvs: ['pv'], volumes: [{ name: 'root', size: '8GiB', filesystem: { type: 'ext4', mount: '/' } }, { name: 'data', size: '3GiB' }] }],
      }),
    );
    expect(() => planPartitions({ layout, disks: [{ path: '/dev/sda', sizeBytes: 20 * GIB }] })).toThrow(
      'volume group vg0 is too small for lvm[0].volumes[1] (data, 3GiB): it needs 3072 MiB, at most 2044 MiB is left of 10236 MiB; shrink the volumes or add space',
    );
  });
});

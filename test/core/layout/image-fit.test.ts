import { describe, expect, it } from 'vitest';
import { parseDiskLayout } from '../../../src/core/layout/disk-layout.js';
import { fitDisks } from '../../../src/core/layout/fit-disks.js';
import { checkImageFits, layoutMounts, mountOf, usableMiB } from '../../../src/core/layout/image-fit.js';
import { MIB, planPartitions } from '../../../src/core/layout/partition-plan.js';

const layout = parseDiskLayout(
  JSON.stringify({
    disks: [{ select: 'first', table: 'gpt', partitions: [{ size: '256MiB', filesystem: { type: 'ext4', mount: '/boot' } }, { name: 'pv', size: 'rest', type: 'lvm' }] }],
    lvm: [{ name: 'vg', pvs: ['pv'], volumes: [{ name: 'root', size: '2GiB', filesystem: { type: 'xfs', mount: '/' } }, { name: 'var', size: 'rest', filesystem: { type: 'ext4', mount: '/var' } }] }],
  }),
);

describe('does an image fit its filesystems', () => {
  it('finds the mount point a path lands on: the deepest that contains it', () => {
    const mounts = layoutMounts(layout);
    expect(mounts.sort()).toEqual(['/', '/boot', '/var']);
    expect(mountOf('/var/lib/x', mounts)).toBe('/var');
    expect(mountOf('/variable', mounts)).toBe('/');
    expect(mountOf('/boot', mounts)).toBe('/boot');
  });

  it('keeps the measured overhead of each filesystem', () => {
    expect(usableMiB('ext4', 64)).toBe(53);
    expect(usableMiB('ext4', 1024)).toBe(962);
    expect(usableMiB('xfs', 256)).toBe(0);
    expect(usableMiB('swap', 1024)).toBe(0);
  });

  it('checks logical volumes by their planned size, the rest one by what is left', () => {
    const plan = planPartitions({ layout, disks: [{ path: '/dev/sda', sizeBytes: 4096 * MIB }] });
    const usage = new Map([
      ['/', { bytes: 1500 * MIB, inodes: 1000 }],
      ['/boot', { bytes: 10 * MIB, inodes: 10 }],
      ['/var', { bytes: 1650 * MIB, inodes: 100 }],
    ]);
    const problems = checkImageFits(plan, usage);
    // 4096 MiB disk: 4094 usable, the pv 3838, the vg 3836 (4 MiB extents after 1 MiB), root 2048: var 1788.
    expect(problems.map((p) => [p.mount, p.device, p.sizeMiB, p.usableMiB, p.neededMiB])).toEqual([['/var', '/dev/vg/var', 1788, 1680, 1733]]);
    const fit = fitDisks({ layout, given: [], usage });
    expect(fit.problems).toEqual([]);
    expect(fit.grown).toBe(true);
    const smaller = fitDisks({ layout, given: [fit.sizes[0]! - MIB], usage });
    expect(smaller.problems.map((p) => p.mount)).toEqual(['/var']);
  });

  it('counts inodes on ext4', () => {
    const plan = planPartitions({ layout, disks: [{ path: '/dev/sda', sizeBytes: 8192 * MIB }] });
    const problems = checkImageFits(plan, new Map([['/boot', { bytes: MIB, inodes: 70_000 }]]));
    expect(problems[0]?.inodes).toEqual({ needed: 70_000, available: 65_536 });
  });
});

import type { DiskLayout, FilesystemType } from './disk-layout.js';
import type { PartitionPlan } from './partition-plan.js';
import { MIB } from './partition-plan.js';

/** What part of an image lands on one mount point: bytes as allocated in 4 KiB blocks, and inodes. */
export interface MountUsage {
  bytes: number;
  inodes: number;
}

export interface FitProblem {
  mount: string;
  type: FilesystemType;
  device: string;
  sizeMiB: number;
  usableMiB: number;
  neededMiB: number;
  /** Set when inodes, not space, are short. */
  inodes?: { needed: number; available: number };
}

/** Headroom on the image's data: directories grow, extents and xattrs take blocks of their own. */
export const DATA_MARGIN = 1.05;

/**
 * The share of a filesystem of `sizeMiB` that holds file data, from mkfs with Debian's defaults measured on
 * empty filesystems here (docs/decisions.md, "Does the image fit"): ext4 keeps inode tables and a journal
 * (84% usable at 64 MiB, 95% from 512 MiB), xfs needs 300 MiB at least (82% at 512 MiB, 90% at 1 GiB).
 * btrfs and vfat could not be measured on this host: conservative estimates.
 */
export function usableMiB(type: FilesystemType, sizeMiB: number): number {
  switch (type) {
    case 'ext4':
      return Math.floor(sizeMiB * (sizeMiB < 512 ? 0.83 : 0.94));
    case 'xfs':
      return sizeMiB < 300 ? 0 : Math.floor(sizeMiB * (sizeMiB < 1024 ? 0.8 : 0.88));
    case 'btrfs':
      return sizeMiB < 128 ? 0 : Math.floor(sizeMiB * 0.85);
    case 'vfat':
      return Math.floor(sizeMiB * 0.95);
    case 'swap':
      return 0;
  }
}

/** Inodes mke2fs makes (mke2fs.conf: one per 4 KiB below 512 MiB, per 16 KiB above); others grow them. */
function inodeLimit(type: FilesystemType, sizeMiB: number): number | undefined {
  if (type !== 'ext4') return undefined;
  return Math.floor((sizeMiB * MIB) / (sizeMiB < 512 ? 4096 : 16384));
}

/** The mount points of a layout's filesystems, swap left out. */
export function layoutMounts(layout: DiskLayout): string[] {
  const all = [
    ...layout.disks.flatMap((disk) => disk.partitions.map((p) => p.filesystem)),
    ...layout.raid.map((array) => array.filesystem),
    ...layout.lvm.flatMap((vg) => vg.volumes.map((lv) => lv.filesystem)),
  ];
  return all.flatMap((fs) => (fs?.mount !== undefined && fs.type !== 'swap' ? [fs.mount] : []));
}

/** The mount point a path of the image lands on: the deepest one that contains it. */
export function mountOf(path: string, mounts: readonly string[]): string {
  let best = '/';
  for (const mount of mounts) {
    if ((path === mount || path.startsWith(`${mount}/`)) && mount.length > best.length) best = mount;
  }
  return best;
}

/** Filesystems of the plan that the image's files, measured per mount point, do not fit. */
export function checkImageFits(plan: PartitionPlan, usage: ReadonlyMap<string, MountUsage>): FitProblem[] {
  const problems: FitProblem[] = [];
  for (const { filesystem, device, sizeMiB } of plan.filesystems) {
    const mount = filesystem.mount;
    if (mount === undefined || filesystem.type === 'swap') continue;
    const used = usage.get(mount);
    if (!used) continue;
    const usable = usableMiB(filesystem.type, sizeMiB);
    const neededMiB = Math.ceil((used.bytes * DATA_MARGIN) / MIB);
    const limit = inodeLimit(filesystem.type, sizeMiB);
    const base = { mount, type: filesystem.type, device, sizeMiB, usableMiB: usable, neededMiB };
    if (neededMiB > usable) problems.push(base);
    else if (limit !== undefined && used.inodes > limit) problems.push({ ...base, inodes: { needed: used.inodes, available: limit } });
  }
  return problems;
}

/** One line for the first problem: the filesystem, its size, what the image needs there. */
export function describeFitProblem(image: string, problems: readonly FitProblem[]): string {
  const [first] = problems;
  if (!first) return `image ${image} fits`;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more filesystem${problems.length > 2 ? 's' : ''})` : '';
  const what = `${first.mount} (${first.type} on ${first.device}, ${first.sizeMiB} MiB`;
  if (first.inodes) {
    return `image ${image} does not fit the layout: ${what}) has ${first.inodes.available} inodes and the image has ${first.inodes.needed} files there${more}; make ${first.mount} larger`;
  }
  return `image ${image} does not fit the layout: ${what}, about ${first.usableMiB} MiB usable) needs ${first.neededMiB} MiB for the image's files${more}; make ${first.mount} larger or give a larger --disk-size`;
}

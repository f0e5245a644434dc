import { UserError } from '../errors.js';
import type { DiskLayout, Filesystem, LayoutDisk, PartitionType } from './disk-layout.js';
import { planDevices } from './disk-layout-devices.js';
import type { PlannedFilesystem, PlannedRaid, PlannedVolumeGroup } from './disk-layout-devices.js';
import { parseSizeSpec } from './disk-layout-size.js';

export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;
/** An msdos table addresses 2^32 512-byte sectors: space past 2 TiB cannot be partitioned. */
export const MSDOS_LIMIT_MIB = 2 * 1024 * 1024;

/** A disk the installer found. */
export interface DiskInfo {
  path: string;
  sizeBytes: number;
}

export interface PlannedPartition {
  /** 1-based number in the table. */
  number: number;
  device: string;
  name?: string;
  type: PartitionType;
  startMiB: number;
  sizeMiB: number;
  bootable: boolean;
  filesystem?: Filesystem;
}

export interface PlannedDisk {
  /** Index into layout.disks. */
  layoutIndex: number;
  path: string;
  table: 'gpt' | 'msdos';
  sizeMiB: number;
  partitions: PlannedPartition[];
}

export interface PartitionPlan {
  disks: PlannedDisk[];
  raid: PlannedRaid[];
  volumeGroups: PlannedVolumeGroup[];
  /** Everything to format, mounted ones first and parents before children (/ before /boot before /boot/efi). */
  filesystems: PlannedFilesystem[];
}

/**
 * The partitionable area of a disk in MiB: partitions start at 1 MiB (alignment, and room for the table);
 * gpt keeps the last MiB for its backup table; msdos stops at 2 TiB. `usableMiB` is what sizes and shares
 * are taken from.
 */
export function partitionArea({ table, sizeMiB }: { table: 'gpt' | 'msdos'; sizeMiB: number }) {
  const endMiB = table === 'gpt' ? sizeMiB - 1 : Math.min(sizeMiB, MSDOS_LIMIT_MIB);
  return { startMiB: 1, endMiB, usableMiB: Math.max(0, endMiB - 1) };
}

/**
 * Sizes in MiB for one disk's partitions: fixed sizes as given, shares floor(usable * p / 100), the rest what
 * is left. `neededMiB` counts each partition at least 1 MiB; the disk fits when nothing rounds to 0 and the
 * needed space is at most the usable space.
 */
export function sizePartitions(disk: LayoutDisk, usableMiB: number): { sizes: number[]; neededMiB: number; fits: boolean } {
  const specs = disk.partitions.map((p) => parseSizeSpec(p.size));
  const sizes = specs.map((s) => (s?.kind === 'mib' ? s.mib : s?.kind === 'percent' ? Math.floor((usableMiB * s.percent) / 100) : 0));
  const restIndex = specs.findIndex((s) => s?.kind === 'rest');
  const taken = sizes.reduce((a, b) => a + b, 0);
  if (restIndex !== -1) sizes[restIndex] = usableMiB - taken;
  const neededMiB = sizes.reduce((sum, size, i) => sum + (i === restIndex ? 1 : Math.max(size, 1)), 0);
  return { sizes, neededMiB, fits: neededMiB <= usableMiB && sizes.every((size) => size >= 1) };
}

/**
 * The smallest disk, in MiB, from which on this layout disk fits every larger disk too: what the install
 * script checks before partitioning. (Shares round down separately, so just below the bound a slightly
 * smaller disk can fit where a larger one does not; the bound is where that stops.)
 */
export function minimumDiskMiB(disk: LayoutDisk): number {
  const overhead = disk.table === 'gpt' ? 2 : 1;
  const specs = disk.partitions.map((p) => parseSizeSpec(p.size));
  const need = specs.reduce((sum, s) => sum + (s?.kind === 'mib' ? s.mib : s?.kind === 'rest' ? 1 : 0), 0);
  const shares = specs.flatMap((s) => (s?.kind === 'percent' ? [s.percent] : []));
  const total = shares.reduce((a, b) => a + b, 0);
  if (total >= 100 && need > 0) return Number.POSITIVE_INFINITY; // refused by the layout check
  // Above this every share is at least 1 MiB and the space left for the others never shrinks below `need`.
  let usable = Math.max(need, ...shares.map((p) => Math.ceil(100 / p)));
  if (total < 100) usable = Math.max(usable, Math.ceil((need * 100) / (100 - total)));
  while (usable > 1 && fits(disk, usable - 1)) usable--;
  return usable + overhead;
}

function fits(disk: LayoutDisk, usableMiB: number): boolean {
  return sizePartitions(disk, usableMiB).fits;
}

/**
 * Places every partition of the layout on the machine's disks: resolves disk rules, aligns to 1 MiB, and
 * refuses a layout that does not fit. The result also lists the RAID arrays, volume groups and filesystems
 * with their device paths, ready to render.
 */
export function planPartitions({ layout, disks }: { layout: DiskLayout; disks: readonly DiskInfo[] }): PartitionPlan {
  const chosen = resolveDisks({ layout, disks });
  const planned = layout.disks.map((disk, d) => {
    const info = chosen[d] as DiskInfo;
    const sizeMiB = Math.floor(info.sizeBytes / MIB);
    const area = partitionArea({ table: disk.table, sizeMiB });
    const { sizes, fits } = sizePartitions(disk, area.usableMiB);
    if (!fits) {
      const needed = minimumDiskMiB(disk);
      throw new UserError(
        `disk ${info.path} (layout disks[${d}]) is too small: the layout needs ${needed} MiB (${formatGiB(needed * MIB)}), the disk has ${sizeMiB} MiB (${formatGiB(info.sizeBytes)})${sizeMiB > MSDOS_LIMIT_MIB && disk.table === 'msdos' ? ' of which msdos can use 2 TiB' : ''}; shrink the layout or choose a larger disk`,
      );
    }
    let start = area.startMiB;
    const partitions = disk.partitions.map((part, p): PlannedPartition => {
      const sizeMiB = sizes[p] as number;
      const planned: PlannedPartition = {
        number: p + 1,
        device: partitionDevice(info.path, p + 1),
        type: part.type,
        startMiB: start,
        sizeMiB,
        bootable: part.bootable === true,
      };
      if (part.name !== undefined) planned.name = part.name;
      if (part.filesystem) planned.filesystem = part.filesystem;
      start += sizeMiB;
      return planned;
    });
    return { layoutIndex: d, path: info.path, table: disk.table, sizeMiB, partitions };
  });
  return { disks: planned, ...planDevices({ layout, disks: planned }) };
}

/** Which machine disk each layout disk gets: paths first, then rules in order over the disks left. */
export function resolveDisks({ layout, disks }: { layout: DiskLayout; disks: readonly DiskInfo[] }): DiskInfo[] {
  const takenBy = new Map<string, number>();
  const chosen: (DiskInfo | undefined)[] = [];
  const describeDisks = () =>
    disks.map((k) => `${k.path} ${formatGiB(k.sizeBytes)}${takenBy.has(k.path) ? ` (disks[${takenBy.get(k.path)}])` : ''}`).join(', ') || 'none';
  layout.disks.forEach((disk, d) => {
    if (disk.path === undefined) return;
    const info = disks.find((k) => k.path === disk.path);
    if (!info) {
      throw new UserError(`layout disks[${d}] wants ${disk.path}, which this machine does not have (disks: ${describeDisks()}); fix path or use select`);
    }
    checkMinimum(disk, d, info);
    takenBy.set(info.path, d);
    chosen[d] = info;
  });
  layout.disks.forEach((disk, d) => {
    if (disk.path !== undefined) return;
    const minBytes = (disk.minSizeGiB ?? 0) * GIB;
    const info = disks.find((k) => !takenBy.has(k.path) && k.sizeBytes >= minBytes);
    if (!info) {
      const rule = disk.minSizeGiB === undefined ? 'the first free disk' : `the first free disk of at least ${disk.minSizeGiB} GiB`;
      throw new UserError(`layout disks[${d}] asks for ${rule}, and none is left (disks: ${describeDisks()}); add a disk or relax the rule`);
    }
    takenBy.set(info.path, d);
    chosen[d] = info;
  });
  return chosen as DiskInfo[];
}

function checkMinimum(disk: LayoutDisk, d: number, info: DiskInfo): void {
  if (disk.minSizeGiB !== undefined && info.sizeBytes < disk.minSizeGiB * GIB) {
    throw new UserError(
      `disk ${info.path} (layout disks[${d}]) has ${formatGiB(info.sizeBytes)}, less than its minSizeGiB ${disk.minSizeGiB}; use a larger disk or lower minSizeGiB`,
    );
  }
}

/** `/dev/sda` + 1 -> `/dev/sda1`; names ending in a digit take a `p` (`/dev/nvme0n1p1`); by-id links take `-part1`. */
export function partitionDevice(diskPath: string, number: number): string {
  if (diskPath.startsWith('/dev/disk/by-')) return `${diskPath}-part${number}`;
  return /\d$/.test(diskPath) ? `${diskPath}p${number}` : `${diskPath}${number}`;
}

export function formatGiB(bytes: number): string {
  return `${(bytes / GIB).toFixed(1)} GiB`;
}

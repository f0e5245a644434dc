import { UserError } from '../errors.js';
import type { DiskLayout, Filesystem, RaidArray, RaidLevel } from './disk-layout.js';
import type { SizeSpec } from './disk-layout-size.js';
import { parseSizeSpec } from './disk-layout-size.js';
import type { PlannedDisk } from './partition-plan.js';

export interface PlannedRaid {
  name: string;
  device: string;
  level: RaidLevel;
  metadata: RaidArray['metadata'];
  members: string[];
  /** Array size before md's own metadata: an upper bound. */
  maxSizeMiB: number;
  filesystem?: Filesystem;
}

export interface PlannedVolume {
  name: string;
  device: string;
  size: SizeSpec;
  /** lvcreate's size arguments: `-L 20480m`, `-l 10%VG` or `-l 100%FREE`. */
  lvcreateSize: string[];
  filesystem?: Filesystem;
}

export interface PlannedVolumeGroup {
  name: string;
  pvs: string[];
  /** Whole 4 MiB extents after a 1 MiB metadata area per physical volume: an upper bound. */
  maxSizeMiB: number;
  volumes: PlannedVolume[];
}

export interface PlannedFilesystem {
  device: string;
  filesystem: Filesystem;
  /** Size of the device in MiB (for arrays and volume groups an upper bound: md and LVM keep some). */
  sizeMiB: number;
}

/** LVM's default physical extent. */
const EXTENT_MIB = 4;

const RAID_CAPACITY: Record<RaidLevel, (n: number, min: number) => number> = {
  0: (n, min) => n * min,
  1: (_n, min) => min,
  5: (n, min) => (n - 1) * min,
  6: (n, min) => (n - 2) * min,
  10: (n, min) => Math.floor((n * min) / 2),
};

/**
 * Device paths and sizes for the arrays, volume groups and filesystems of a placed layout. Refuses volume
 * groups whose volumes cannot fit even in the upper bound of their size.
 */
export function planDevices({ layout, disks }: { layout: DiskLayout; disks: readonly PlannedDisk[] }) {
  const devices = new Map<string, { device: string; sizeMiB: number }>();
  const filesystems: PlannedFilesystem[] = [];
  for (const disk of disks) {
    for (const part of disk.partitions) {
      if (part.name !== undefined) devices.set(part.name, { device: part.device, sizeMiB: part.sizeMiB });
      if (part.filesystem) filesystems.push({ device: part.device, filesystem: part.filesystem, sizeMiB: part.sizeMiB });
    }
  }
  const lookup = (name: string) => {
    const found = devices.get(name);
    if (!found) throw new UserError(`layout refers to ${name}, which is not defined; check the layout`);
    return found;
  };

  const raid = layout.raid.map((array): PlannedRaid => {
    const members = array.members.map(lookup);
    const min = Math.min(...members.map((m) => m.sizeMiB));
    const planned: PlannedRaid = {
      name: array.name,
      device: `/dev/${array.name}`,
      level: array.level,
      metadata: array.metadata,
      members: members.map((m) => m.device),
      maxSizeMiB: RAID_CAPACITY[array.level](members.length, min),
    };
    devices.set(array.name, { device: planned.device, sizeMiB: planned.maxSizeMiB });
    if (array.filesystem) {
      planned.filesystem = array.filesystem;
      filesystems.push({ device: planned.device, filesystem: array.filesystem, sizeMiB: planned.maxSizeMiB });
    }
    return planned;
  });

  const volumeGroups = layout.lvm.map((vg, g): PlannedVolumeGroup => {
    const pvs = vg.pvs.map(lookup);
    const maxSizeMiB = pvs.reduce((sum, pv) => sum + Math.max(0, Math.floor((pv.sizeMiB - 1) / EXTENT_MIB) * EXTENT_MIB), 0);
    let free = maxSizeMiB;
    const volumes = vg.volumes.map((lv, v): PlannedVolume => {
      const size = parseSizeSpec(lv.size) ?? { kind: 'rest' };
      const needed = size.kind === 'mib' ? roundUp(size.mib) : size.kind === 'percent' ? Math.floor((maxSizeMiB * size.percent) / 100) : EXTENT_MIB;
      if (needed > free) {
        throw new UserError(
          `volume group ${vg.name} is too small for lvm[${g}].volumes[${v}] (${lv.name}, ${lv.size}): it needs ${needed} MiB, at most ${free} MiB is left of ${maxSizeMiB} MiB; shrink the volumes or add space`,
        );
      }
      free -= needed;
      // The rest takes what is left (it is last: checkDiskLayout).
      const sizeMiB = size.kind === 'rest' ? free + needed : needed;
      if (size.kind === 'rest') free = 0;
      const planned: PlannedVolume = { name: lv.name, device: `/dev/${vg.name}/${lv.name}`, size, lvcreateSize: lvcreateSize(size) };
      if (lv.filesystem) {
        planned.filesystem = lv.filesystem;
        filesystems.push({ device: planned.device, filesystem: lv.filesystem, sizeMiB });
      }
      return planned;
    });
    return { name: vg.name, pvs: pvs.map((pv) => pv.device), maxSizeMiB, volumes };
  });

  return { raid, volumeGroups, filesystems: orderFilesystems(filesystems) };
}

function roundUp(mib: number): number {
  return Math.ceil(mib / EXTENT_MIB) * EXTENT_MIB;
}

function lvcreateSize(size: SizeSpec): string[] {
  if (size.kind === 'mib') return ['-L', `${size.mib}m`];
  if (size.kind === 'percent') return ['-l', `${size.percent}%VG`];
  return ['-l', '100%FREE'];
}

/** Mounted filesystems by mount depth (parents first), then unmounted ones, then swap; otherwise layout order. */
function orderFilesystems(list: PlannedFilesystem[]): PlannedFilesystem[] {
  const rank = ({ filesystem: fs }: PlannedFilesystem) =>
    fs.type === 'swap' ? 1000 : fs.mount === undefined ? 999 : fs.mount === '/' ? 0 : fs.mount.split('/').length - 1;
  return list.map((fs, i) => ({ fs, i })).sort((a, b) => rank(a.fs) - rank(b.fs) || a.i - b.i).map(({ fs }) => fs);
}

import type { DiskLayout, Filesystem, FilesystemType } from '../layout/disk-layout.js';
import { planDevices } from '../layout/disk-layout-devices.js';
import { parseSizeSpec } from '../layout/disk-layout-size.js';
import { typeCode } from '../layout/disk-layout-sfdisk.js';
import { GIB, minimumDiskMiB, type PlannedDisk } from '../layout/partition-plan.js';
import { shellWords } from '../shell-quote.js';

/**
 * The disk layout as the master script's template sees it. Disks are known only at install time, so
 * partitions are shell variables (SI_PART_<disk>_<number>) that the detect phase sets, and sizes are
 * specs (`512`, `10%`, `rest`) that the script turns into MiB from the real disk size, with the same
 * arithmetic as partition-plan.ts.
 */
export interface LayoutContext {
  disks: ScriptDisk[];
  /** Disks with a path first, then the rule ones: the order in which they are chosen. */
  chooseOrder: ScriptDisk[];
  raid: ScriptRaid[];
  volumeGroups: ScriptVolumeGroup[];
  filesystems: ScriptFilesystem[];
  /** The filesystems that are mounted, parents first. */
  mounts: ScriptFilesystem[];
}

export interface ScriptDisk {
  index: number;
  path: string | null;
  /** The path as one shell word, '' for a rule. */
  pathWord: string;
  /** minSizeGiB in bytes, 0 when the layout sets none. */
  minBytes: number;
  table: 'gpt' | 'msdos';
  /** sfdisk's label name. */
  label: 'gpt' | 'dos';
  /** The smallest disk (MiB) the layout fits, for the message when it does not. */
  minMiB: number;
  /** Size specs in MiB without unit, `N%` or `rest`, as si_plan_disk takes them. */
  specs: string;
  partitions: ScriptPartition[];
}

export interface ScriptPartition {
  number: number;
  variable: string;
  /** sfdisk fields after start, size: `, type=...` with name or bootable. */
  sfdiskFields: string;
}

export interface ScriptRaid {
  name: string;
  device: string;
  level: number;
  metadata: string;
  count: number;
  /** Member devices as quoted shell words. */
  members: string;
}

export interface ScriptVolumeGroup {
  name: string;
  pvs: string;
  volumes: { name: string; device: string; size: string }[];
}

export interface ScriptFilesystem {
  /** Index in `filesystems`: the host script sets SI_FS_UUID_<index>. */
  index: number;
  /** Where it is defined in the layout (`disks[0].partitions[2]`): what its UUID is derived from. */
  place: string;
  /** The device as one shell word (a variable in double quotes, or a quoted path). */
  device: string;
  type: FilesystemType;
  label: string;
  mount: string | null;
  /** The label as one shell word ('' when none). */
  labelWord: string;
  /** The mount point as one shell word. */
  mountWord: string;
  /** Extra mkfs arguments as quoted shell words. */
  options: string;
  filesystem: Filesystem;
}

/** A disk size no layout outgrows: partitions are placeholders here, their sizes matter only to the VG bound. */
const PLACEHOLDER_MIB = 2 ** 40;

export const partitionVariable = (disk: number, number: number) => `SI_PART_${disk}_${number}`;

export function buildLayoutContext(layout: DiskLayout): LayoutContext {
  const places = new Map<Filesystem, string>();
  const planned: PlannedDisk[] = layout.disks.map((disk, d) => ({
    layoutIndex: d,
    path: `disk${d}`,
    table: disk.table,
    sizeMiB: PLACEHOLDER_MIB,
    partitions: disk.partitions.map((part, p) => {
      if (part.filesystem) places.set(part.filesystem, `disks[${d}].partitions[${p}]`);
      const entry = { number: p + 1, device: `"$${partitionVariable(d, p + 1)}"`, type: part.type, startMiB: 0, sizeMiB: PLACEHOLDER_MIB, bootable: part.bootable === true };
      return { ...entry, ...(part.name !== undefined ? { name: part.name } : {}), ...(part.filesystem ? { filesystem: part.filesystem } : {}) };
    }),
  }));
  layout.raid.forEach((array, r) => array.filesystem && places.set(array.filesystem, `raid[${r}]`));
  layout.lvm.forEach((vg, g) => vg.volumes.forEach((lv, v) => lv.filesystem && places.set(lv.filesystem, `lvm[${g}].volumes[${v}]`)));
  const devices = planDevices({ layout, disks: planned });
  const word = (device: string) => (device.startsWith('"$') ? device : shellWords([device]));

  const disks = layout.disks.map((disk, d): ScriptDisk => ({
    index: d,
    path: disk.path ?? null,
    pathWord: disk.path === undefined ? "''" : shellWords([disk.path]),
    minBytes: (disk.minSizeGiB ?? 0) * GIB,
    table: disk.table,
    label: disk.table === 'gpt' ? 'gpt' : 'dos',
    minMiB: Number.isFinite(minimumDiskMiB(disk)) ? minimumDiskMiB(disk) : 0,
    specs: disk.partitions.map((part) => sizeWord(part.size)).join(' '),
    partitions: disk.partitions.map((part, p) => {
      let fields = `, type=${typeCode(disk.table, part.type)}`;
      if (disk.table === 'gpt' && part.name !== undefined) fields += `, name="${part.name}"`;
      if (disk.table === 'msdos' && part.bootable) fields += ', bootable';
      return { number: p + 1, variable: partitionVariable(d, p + 1), sfdiskFields: fields };
    }),
  }));
  const filesystems = devices.filesystems.map(({ device, filesystem }, index): ScriptFilesystem => ({
    index,
    place: places.get(filesystem) ?? `filesystems[${index}]`,
    device: word(device),
    type: filesystem.type,
    label: filesystem.label ?? '',
    labelWord: filesystem.label ? shellWords([filesystem.label]) : "''",
    mount: filesystem.mount ?? null,
    mountWord: filesystem.mount === undefined ? "''" : shellWords([filesystem.mount]),
    options: shellWords(filesystem.mkfsOptions),
    filesystem,
  }));
  return {
    disks,
    chooseOrder: [...disks.filter((d) => d.path !== null), ...disks.filter((d) => d.path === null)],
    raid: devices.raid.map((array) => ({
      name: array.name,
      device: array.device,
      level: array.level,
      metadata: array.metadata,
      count: array.members.length,
      members: array.members.map(word).join(' '),
    })),
    volumeGroups: devices.volumeGroups.map((vg) => ({
      name: vg.name,
      pvs: vg.pvs.map(word).join(' '),
      volumes: vg.volumes.map((lv) => ({ name: lv.name, device: lv.device, size: shellWords(lv.lvcreateSize) })),
    })),
    filesystems,
    mounts: filesystems.filter((fs) => fs.mount !== null && fs.type !== 'swap'),
  };
}

function sizeWord(size: string): string {
  const spec = parseSizeSpec(size);
  if (!spec || spec.kind === 'rest') return 'rest';
  return spec.kind === 'percent' ? `${spec.percent}%` : String(spec.mib);
}

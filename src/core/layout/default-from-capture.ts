import { UserError } from '../errors.js';
import type { CapturedDisk, CapturedLayout, CapturedPartition } from './captured.js';
import type { DiskLayout, DiskLayoutDocument, Filesystem, FilesystemType, PartitionType } from './disk-layout.js';
import { formatProblem, validateDiskLayout } from './disk-layout.js';
import { formatMiB } from './disk-layout-size.js';
import { GPT_TYPE_GUIDS, MBR_TYPE_IDS } from './disk-layout-sfdisk.js';

type DocPartition = DiskLayoutDocument['disks'][number]['partitions'][number];
type Usage = { kind: 'raid' | 'lvm' | 'swap'; swapOptions?: string[] } | { kind: 'fs'; filesystem: Filesystem };

/** ext2/ext3 are made as ext4 (which mounts their data unchanged); msdos is vfat. */
const FSTYPES: Record<string, FilesystemType> = { ext2: 'ext4', ext3: 'ext4', ext4: 'ext4', xfs: 'xfs', btrfs: 'btrfs', vfat: 'vfat', msdos: 'vfat' };
const GROWABLE: readonly PartitionType[] = ['linux', 'lvm', 'raid'];
const MIB = 1024 * 1024;

/**
 * The install layout a clone of the golden client gets by default: its disks (those that hold something the
 * system uses) chosen by rule, its partitions at their captured sizes with the largest growable one taking
 * the rest (moved last), its RAID arrays and LVM volumes, its filesystems and mount options. Refuses what the
 * layout format cannot express, asking for an explicit layout.
 */
export function defaultDiskLayout(captured: CapturedLayout): DiskLayout {
  const usage = findUsage(captured);
  const names = new Map<string, string>(); // captured device path -> layout name
  const used = new Set<string>();
  /** The captured GPT name when it is a valid, unused one; else, for a referenced partition, its device name. */
  const nameFor = (device: string, captured: string | null, referenced: boolean) => {
    const usable = captured !== null && /^[A-Za-z0-9_.-]{1,36}$/.test(captured) && !used.has(captured);
    const name = usable ? captured : referenced ? device.replace(/^.*\//, '') : undefined;
    if (name !== undefined) {
      used.add(name);
      names.set(device, name);
    }
    return name;
  };

  const disks: DiskLayoutDocument['disks'] = [];
  for (const disk of captured.disks) {
    const parts = [...disk.partitions].sort((a, b) => a.startSector - b.startSector);
    if (!parts.some((p) => usage.has(p.path))) {
      if (usage.has(disk.path)) refuse(`${disk.path} is used as a whole disk, without a partition table`);
      continue;
    }
    if (disk.table === null) refuse(`${disk.path} has partitions but no recognised partition table`);
    const partitions: DocPartition[] = [];
    for (const part of parts) {
      const planned = planPartition(disk, part, usage.get(part.path));
      if (!planned) continue;
      const name = nameFor(part.path, disk.table === 'gpt' ? part.name : null, planned.type === 'raid' || planned.type === 'lvm');
      if (name !== undefined) planned.name = name;
      partitions.push(planned);
    }
    growLargest(partitions);
    disks.push({ select: 'first', table: disk.table === 'gpt' ? 'gpt' : 'msdos', partitions });
  }

  const raid: NonNullable<DiskLayoutDocument['raid']> = captured.raid.map((array) => {
    const name = array.device.replace(/^\/dev\/(md\/)?/, '');
    const level = Number(/^raid(\d+)$/.exec(array.level)?.[1] ?? NaN);
    if (![0, 1, 5, 6, 10].includes(level)) refuse(`${array.device} is ${array.level}, which the layout format does not build`);
    names.set(array.device, name);
    const members = array.members.map((m) => names.get(m) ?? refuse(`${array.device} has member ${m}, which is not a captured partition`));
    const use = usage.get(array.device);
    return { name, level: level as 0, members, ...(use?.kind === 'fs' ? { filesystem: use.filesystem } : swapOf(use)) };
  });

  const lvm: NonNullable<DiskLayoutDocument['lvm']> = captured.lvm.volumeGroups.map((vg) => {
    const volumes = captured.lvm.logicalVolumes
      .filter((lv) => lv.vg === vg.name)
      .map((lv) => {
        const use = usage.get(lv.path);
        return { name: lv.name, size: formatMiB(Math.max(1, Math.ceil(lv.sizeBytes / MIB))), ...(use?.kind === 'fs' ? { filesystem: use.filesystem } : swapOf(use)) };
      });
    const largest = volumes.reduce((best, v, i) => (sizeOf(v.size) > sizeOf(volumes[best]?.size ?? '0MiB') ? i : best), 0);
    const [grown] = volumes.splice(largest, 1);
    if (grown) volumes.push({ ...grown, size: 'rest' });
    const pvs = vg.pvs.map((pv) => names.get(pv) ?? refuse(`volume group ${vg.name} uses ${pv}, which is not a captured partition or array`));
    return { name: vg.name, pvs, volumes };
  });

  keepOneEsp(disks);
  const { layout, problems } = validateDiskLayout({ version: 1, disks, raid, lvm });
  if (!layout) refuse(`the derived layout is not valid: ${formatProblem(problems[0] ?? { path: [], message: 'unknown problem' })}`);
  return layout;
}

/**
 * A layout has one ESP (the one mounted, else the first); a spare one on another disk (its content is not
 * in the image, being unmounted) is kept as an empty partition of its size so that the disk keeps its shape.
 */
function keepOneEsp(disks: { partitions: DocPartition[] }[]): void {
  const esps = disks.flatMap((disk) => disk.partitions.filter((p) => p.type === 'esp'));
  const kept = esps.find((p) => p.filesystem?.mount !== undefined) ?? esps[0];
  for (const esp of esps) {
    if (esp === kept) continue;
    esp.type = 'linux';
    delete esp.filesystem;
  }
}

function refuse(reason: string): never {
  throw new UserError(`the golden client's disk layout cannot be used as the default: ${reason}; write an explicit layout.json (see docs/layout.md)`);
}

/** What each captured device (partition, array, logical volume) is used for, under all its names. */
function findUsage(captured: CapturedLayout): Map<string, Usage> {
  const aliases = new Map<string, string>(); // any name of a device -> its canonical captured path
  for (const lv of captured.lvm.logicalVolumes) {
    aliases.set(`/dev/mapper/${lv.vg.replace(/-/g, '--')}-${lv.name.replace(/-/g, '--')}`, lv.path);
  }
  const canonical = (source: string) => {
    const device = source.replace(/\[.*\]$/, ''); // btrfs subvolume mounts: /dev/sda2[/@home]
    return aliases.get(device) ?? device;
  };
  const usage = new Map<string, Usage>();
  for (const array of captured.raid) for (const member of array.members) usage.set(member, { kind: 'raid' });
  for (const vg of captured.lvm.volumeGroups) for (const pv of vg.pvs) usage.set(canonical(pv), { kind: 'lvm' });

  // One filesystem per device: / if it is among its mounts, else the shortest mount point (subvolumes, binds).
  const local = captured.filesystems.filter((fs) => fs.local && fs.source.startsWith('/dev/'));
  local.sort((a, b) => (a.mountpoint === '/' ? -1 : b.mountpoint === '/' ? 1 : a.mountpoint.length - b.mountpoint.length));
  for (const fs of local) {
    const device = canonical(fs.source);
    if (usage.has(device)) continue;
    const type = FSTYPES[fs.fstype] ?? refuse(`${fs.mountpoint} is ${fs.fstype}, which the layout format does not make`);
    const entry = captured.fstab.find((e) => e.file === fs.mountpoint);
    const filesystem: Filesystem = { type, mkfsOptions: [], mountOptions: fstabOptions(entry?.options), mount: fs.mountpoint };
    if (fs.label) filesystem.label = fs.label;
    usage.set(device, { kind: 'fs', filesystem });
  }
  for (const swap of captured.swap) if (swap.kind === 'partition') usage.set(canonical(swap.path), { kind: 'swap' });
  for (const entry of captured.fstab) {
    if (entry.vfstype === 'swap' && entry.spec.startsWith('/dev/')) {
      usage.set(canonical(entry.spec), { kind: 'swap', swapOptions: fstabOptions(entry.options).filter((o) => o !== 'sw') });
    }
  }
  return usage;
}

function fstabOptions(options: string | undefined): string[] {
  return (options ?? '').split(',').filter((o) => o !== '' && o !== 'defaults');
}

function swapOf(use: Usage | undefined): { filesystem?: Filesystem } {
  if (use?.kind !== 'swap') return {};
  return { filesystem: { type: 'swap', mkfsOptions: [], mountOptions: use.swapOptions ?? [] } };
}

/** A captured partition as a layout partition, or undefined to leave it out (extended containers, unknown and unused). */
function planPartition(disk: CapturedDisk, part: CapturedPartition, use: Usage | undefined): DocPartition | undefined {
  const known = knownType(part.type);
  const size = formatMiB(Math.max(1, Math.ceil((part.sizeSectors * disk.sectorSize) / MIB)));
  const bootable = disk.table === 'dos' && part.flags.includes('boot') ? { bootable: true } : {};
  if (use?.kind === 'raid' || use?.kind === 'lvm') return { size, type: use.kind, ...bootable };
  if (use?.kind === 'swap' || (!use && known === 'swap')) return { size, type: 'swap', ...bootable, ...swapOf(use ?? { kind: 'swap' }) };
  if (use?.kind === 'fs') {
    const type = known === 'esp' && use.filesystem.type === 'vfat' ? 'esp' : 'linux';
    return { size, type, ...bootable, filesystem: use.filesystem };
  }
  if (known === 'bios_grub') return { size, type: 'bios_grub' };
  if (known === 'esp') return { size, type: 'esp', filesystem: { type: 'vfat', mkfsOptions: [], mountOptions: [] } };
  if (known !== undefined) return { size, type: 'linux', ...bootable };
  return undefined;
}

function knownType(code: string): PartitionType | undefined {
  const c = code.toUpperCase();
  for (const [type, guid] of Object.entries(GPT_TYPE_GUIDS)) if (guid === c) return type as PartitionType;
  for (const [type, id] of Object.entries(MBR_TYPE_IDS)) if (id.toUpperCase() === c.replace(/^0X/, '')) return type as PartitionType;
  return undefined;
}

/** The largest growable partition takes the rest of the disk, moved last so that it can. */
function growLargest(partitions: DocPartition[]): void {
  let largest = -1;
  partitions.forEach((p, i) => {
    if (GROWABLE.includes(p.type ?? 'linux') && (largest === -1 || sizeOf(p.size) > sizeOf(partitions[largest]?.size ?? '0MiB'))) largest = i;
  });
  if (largest === -1) return;
  const [grown] = partitions.splice(largest, 1);
  if (grown) partitions.push({ ...grown, size: 'rest' });
}

function sizeOf(size: string): number {
  const m = /^(\d+)(MiB|GiB)$/.exec(size);
  return m ? Number(m[1]) * (m[2] === 'GiB' ? 1024 : 1) : 0;
}

import type { DiskLayout, Filesystem, LayoutProblem, RaidArray } from './disk-layout.js';
import { RAID_MIN_MEMBERS, formatLayoutPath } from './disk-layout.js';
import { parseSizeSpec } from './disk-layout-size.js';

type Path = (string | number)[];

/** Longest label each mkfs accepts. */
const LABEL_MAX: Record<Filesystem['type'], number> = { ext4: 16, xfs: 12, btrfs: 255, vfat: 11, swap: 15 };

/** What a partition or array name refers to, for raid.members and lvm.pvs. */
interface Target {
  path: Path;
  kind: 'partition' | 'raid';
  type: string;
  hasFilesystem: boolean;
  usedBy?: string;
}

/** Checks the relations the schema cannot: references, one root, types against filesystems, sizes per disk. */
export function checkDiskLayout(layout: DiskLayout): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const problem = (path: Path, message: string) => problems.push({ path, message });
  const targets = new Map<string, Target>();
  const mounts = new Map<string, Path>();
  const diskPaths = new Map<string, number>();
  let firstEsp: Path | undefined;

  const checkFilesystem = (fs: Filesystem | undefined, path: Path) => {
    if (!fs) return;
    const at = [...path, 'filesystem'];
    if (fs.type === 'swap' && fs.mount !== undefined) problem([...at, 'mount'], 'swap is not mounted; remove mount');
    if (fs.label !== undefined && fs.label.length > LABEL_MAX[fs.type]) {
      problem([...at, 'label'], `${fs.type} labels hold at most ${LABEL_MAX[fs.type]} characters`);
    }
    if (fs.mount !== undefined) {
      const earlier = mounts.get(fs.mount);
      if (earlier) problem([...at, 'mount'], `${fs.mount} is already mounted by ${formatLayoutPath(earlier)}; mount each path once`);
      else mounts.set(fs.mount, at);
    }
  };
  const addTarget = (name: string, target: Target) => {
    const earlier = targets.get(name);
    if (earlier) problem([...target.path, 'name'], `name ${JSON.stringify(name)} is already used by ${formatLayoutPath(earlier.path)}`);
    else targets.set(name, target);
  };

  layout.disks.forEach((disk, d) => {
    const at: Path = ['disks', d];
    if (disk.path !== undefined && disk.select !== undefined) problem(at, 'give either path or select, not both');
    if (disk.path === undefined && disk.select === undefined && disk.minSizeGiB === undefined) {
      problem(at, 'no disk chosen; add path ("/dev/sda"), select ("first") or minSizeGiB');
    }
    if (disk.path !== undefined) {
      const earlier = diskPaths.get(disk.path);
      if (earlier !== undefined) problem([...at, 'path'], `${disk.path} is already used by disks[${earlier}]`);
      else diskPaths.set(disk.path, d);
    }
    if (disk.table === 'msdos' && disk.partitions.length > 4) {
      problem([...at, 'partitions'], 'an msdos table holds at most 4 partitions here; use gpt, or LVM for more volumes');
    }
    checkSizes(disk.partitions.map((p) => p.size), [...at, 'partitions'], 'partition', problem);

    disk.partitions.forEach((part, p) => {
      const pat: Path = [...at, 'partitions', p];
      const fs = part.filesystem;
      if (part.bootable && disk.table !== 'msdos') problem([...pat, 'bootable'], 'bootable applies to msdos tables only; remove it');
      switch (part.type) {
        case 'esp':
          if (fs?.type !== 'vfat') problem(pat, 'an esp partition must have filesystem {"type": "vfat"}');
          // Firmware boots the first ESP it finds and grub-install writes one: a second is never filled.
          if (firstEsp) problem([...pat, 'type'], `the layout already has an EFI system partition at ${formatLayoutPath(firstEsp)}; use one esp (to mirror it, use raid with metadata 1.0)`);
          else firstEsp = pat;
          break;
        case 'bios_grub':
          if (disk.table !== 'gpt') problem([...pat, 'type'], 'bios_grub is for gpt disks; on msdos grub uses the gap before the first partition');
          if (fs) problem([...pat, 'filesystem'], 'a bios_grub partition holds no filesystem; remove it');
          break;
        case 'swap':
          if (fs && fs.type !== 'swap') problem([...pat, 'filesystem', 'type'], 'a swap partition holds swap; use "swap" or type "linux"');
          break;
        case 'raid':
        case 'lvm':
          if (fs) problem([...pat, 'filesystem'], `a ${part.type} partition is formatted through its ${part.type === 'raid' ? 'array' : 'volume group'}; remove filesystem`);
          break;
        case 'linux':
          if (fs?.type === 'swap') problem([...pat, 'type'], 'swap needs a partition of type "swap"');
          break;
      }
      checkFilesystem(fs, pat);
      if ((part.type === 'raid' || part.type === 'lvm') && part.name === undefined) {
        problem(pat, `a ${part.type} partition needs a "name" to be listed in ${part.type === 'raid' ? 'raid[].members' : 'lvm[].pvs'}`);
      }
      if (part.name !== undefined) addTarget(part.name, { path: pat, kind: 'partition', type: part.type, hasFilesystem: !!fs });
    });
  });

  layout.raid.forEach((array, r) => {
    const at: Path = ['raid', r];
    checkFilesystem(array.filesystem, at);
    addTarget(array.name, { path: at, kind: 'raid', type: 'raid', hasFilesystem: !!array.filesystem });
  });
  layout.raid.forEach((array, r) => checkMembers(array, ['raid', r], targets, problem));

  const vgNames = new Map<string, number>();
  layout.lvm.forEach((vg, g) => {
    const at: Path = ['lvm', g];
    const earlier = vgNames.get(vg.name);
    if (earlier !== undefined) problem([...at, 'name'], `volume group ${vg.name} is already defined at lvm[${earlier}]`);
    else vgNames.set(vg.name, g);
    vg.pvs.forEach((ref, i) => {
      const target = claim(ref, `lvm[${g}]`, [...at, 'pvs', i], targets, problem);
      if (!target) return;
      if (target.kind === 'partition' && target.type !== 'lvm') problem([...at, 'pvs', i], `${ref} is a ${target.type} partition; physical volumes need type "lvm"`);
      if (target.kind === 'raid' && target.hasFilesystem) problem([...at, 'pvs', i], `array ${ref} has a filesystem; remove it to use the array as a physical volume`);
    });
    checkSizes(vg.volumes.map((v) => v.size), [...at, 'volumes'], 'volume', problem);
    const lvNames = new Set<string>();
    vg.volumes.forEach((lv, v) => {
      if (lvNames.has(lv.name)) problem([...at, 'volumes', v, 'name'], `${vg.name} already has a volume named ${lv.name}`);
      lvNames.add(lv.name);
      checkFilesystem(lv.filesystem, [...at, 'volumes', v]);
    });
  });

  for (const [name, target] of targets) {
    if (target.kind === 'partition' && (target.type === 'raid' || target.type === 'lvm') && !target.usedBy) {
      problem(target.path, `partition ${name} has type ${target.type} but no ${target.type === 'raid' ? 'array lists it in members' : 'volume group lists it in pvs'}`);
    }
  }
  if (!mounts.has('/')) problem([], 'no filesystem is mounted at /; give the root filesystem "mount": "/"');
  return problems;
}

function checkMembers(array: RaidArray, at: Path, targets: Map<string, Target>, problem: (p: Path, m: string) => void) {
  const min = RAID_MIN_MEMBERS[array.level];
  if (array.members.length < min) problem([...at, 'members'], `raid${array.level} needs at least ${min} members, got ${array.members.length}`);
  array.members.forEach((ref, i) => {
    const target = claim(ref, array.name, [...at, 'members', i], targets, problem);
    if (target && (target.kind !== 'partition' || target.type !== 'raid')) {
      problem([...at, 'members', i], `${ref} is not a partition of type "raid"; list raid partitions as members`);
    }
  });
}

/** Resolves a reference and marks its target used, refusing unknown names and second users. */
function claim(ref: string, user: string, at: Path, targets: Map<string, Target>, problem: (p: Path, m: string) => void) {
  const target = targets.get(ref);
  if (!target) {
    problem(at, `${JSON.stringify(ref)} names no partition or array; give the partition a "name" and refer to that`);
    return undefined;
  }
  if (target.usedBy) {
    problem(at, `${ref} is already used by ${target.usedBy}`);
    return undefined;
  }
  target.usedBy = user;
  return target;
}

/** At most one rest and it comes last; shares add up to at most 100%. */
function checkSizes(sizes: string[], at: Path, what: string, problem: (p: Path, m: string) => void) {
  let percent = 0;
  sizes.forEach((text, i) => {
    const size = parseSizeSpec(text);
    if (size?.kind === 'rest' && i !== sizes.length - 1) problem([...at, i, 'size'], `only the last ${what} may take the rest`);
    if (size?.kind === 'percent') percent += size.percent;
  });
  if (percent > 100) problem(at, `${what} shares add up to ${percent}%; keep them at or under 100%`);
  else if (percent === 100 && sizes.some((text) => parseSizeSpec(text)?.kind !== 'percent')) {
    problem(at, `${what} shares add up to 100%, which leaves no room for the other ${what}s; lower a share`);
  }
}

import { z } from 'zod';
import { UserError } from '../errors.js';
import { checkDiskLayout } from './disk-layout-check.js';
import { SIZE_HINT, parseSizeSpec } from './disk-layout-size.js';
import { formatIssue, locateJsonError } from './disk-layout-errors.js';

/*
 * The install disk layout (layout.json), documented in docs/layout.md. The schema checks shapes; the
 * relations between parts (references, one root, types against filesystems) are checked in
 * disk-layout-check.ts. Both report a path into the document.
 */

export const PARTITION_TYPES = ['esp', 'bios_grub', 'swap', 'linux', 'raid', 'lvm'] as const;
export const FILESYSTEM_TYPES = ['ext4', 'xfs', 'btrfs', 'vfat', 'swap'] as const;
export const RAID_LEVELS = [0, 1, 5, 6, 10] as const;
/** Fewest members mdadm accepts per level (raid10 runs on two, as a near-2 layout). */
export const RAID_MIN_MEMBERS: Record<RaidLevel, number> = { 0: 2, 1: 2, 5: 3, 6: 4, 10: 2 };

const Size = z.string().refine((text) => parseSizeSpec(text) !== undefined, {
  error: (iss) => `${JSON.stringify(iss.input)} is not a size; ${SIZE_HINT}`,
});

const MountPoint = z.string().refine((p) => p === '/' || /^(\/[^\s/]+)+$/.test(p) && !/\/\.\.?(\/|$)/.test(p), {
  error: (iss) => `${JSON.stringify(iss.input)} is not a mount point; use an absolute path such as /var, without spaces or a trailing /`,
});

const MountOption = z.string().regex(/^[^\s,]+$/, {
  error: (iss) => `${JSON.stringify(iss.input)} is not one mount option; give each option as its own string, without spaces`,
});

const CommandWord = z.string().regex(/^[^\0\n]+$/, {
  error: (iss) => `${JSON.stringify(iss.input)} is not an option word; give each word as its own non-empty string`,
});

/** A name referred to from raid.members and lvm.pvs; on GPT also the partition's name in the table. */
const PartitionName = z.string().regex(/^[A-Za-z0-9_.-]{1,36}$/, {
  error: (iss) => `${JSON.stringify(iss.input)} is not a partition name; use 1-36 of A-Z, a-z, 0-9, '_', '.', '-'`,
});

const LvmName = z.string().regex(/^[A-Za-z0-9+_.][A-Za-z0-9+_.-]{0,62}$/, {
  error: (iss) => `${JSON.stringify(iss.input)} is not an LVM name; use 1-63 of A-Z, a-z, 0-9, '+', '_', '.', '-', not starting with '-'`,
});

export const FilesystemSchema = z.strictObject({
  type: z.enum(FILESYSTEM_TYPES),
  /** Extra mkfs/mkswap arguments, one word per string. */
  mkfsOptions: z.array(CommandWord).default([]),
  label: z.string().min(1).optional(),
  /** Where it is mounted in the installed system; absent for swap and for filesystems left unmounted. */
  mount: MountPoint.optional(),
  mountOptions: z.array(MountOption).default([]),
});

const PartitionSchema = z.strictObject({
  name: PartitionName.optional(),
  size: Size,
  type: z.enum(PARTITION_TYPES).default('linux'),
  /** MBR active flag, for BIOSes that want one. */
  bootable: z.boolean().optional(),
  filesystem: FilesystemSchema.optional(),
});

const DiskSchema = z.strictObject({
  path: z.string().refine(isDevicePath, { error: (iss) => `${JSON.stringify(iss.input)} is not a device path; use a path under /dev without '.' or '..' parts, e.g. /dev/sda or /dev/disk/by-id/...` }).optional(),
  select: z.literal('first').optional(),
  minSizeGiB: z.number().positive().optional(),
  table: z.enum(['gpt', 'msdos']),
  partitions: z.array(PartitionSchema).min(1),
});

const RaidSchema = z.strictObject({
  name: z.string().regex(/^md\d{1,3}$/, { error: (iss) => `${JSON.stringify(iss.input)} is not an md name; use md0, md1, ...` }),
  level: z.literal(RAID_LEVELS),
  /** Names of partitions of type raid. */
  members: z.array(z.string()).min(1),
  /** md superblock format: 1.2 (the default) at 4 KiB from the start, 1.0 at the end (for old bootloaders). */
  metadata: z.enum(['1.0', '1.2']).default('1.2'),
  filesystem: FilesystemSchema.optional(),
});

const LogicalVolumeSchema = z.strictObject({
  name: LvmName,
  /** Fixed, a share of the volume group (%VG), or rest (100%FREE). */
  size: Size,
  filesystem: FilesystemSchema.optional(),
});

const VolumeGroupSchema = z.strictObject({
  name: LvmName,
  /** Names of partitions of type lvm, or of raid arrays. */
  pvs: z.array(z.string()).min(1),
  volumes: z.array(LogicalVolumeSchema).min(1),
});

/** /dev/NAME or deeper (/dev/disk/by-id/...), already normal: no '.', '..' or empty parts, no blanks. */
export function isDevicePath(path: string): boolean {
  return /^\/dev(\/[^\s/]+)+$/.test(path) && !path.split('/').some((part) => part === '.' || part === '..');
}

export const DiskLayoutSchema = z.strictObject({
  version: z.literal(1).default(1),
  disks: z.array(DiskSchema).min(1),
  raid: z.array(RaidSchema).default([]),
  lvm: z.array(VolumeGroupSchema).default([]),
});

export type DiskLayout = z.infer<typeof DiskLayoutSchema>;
/** What a layout.json may contain before defaults are filled in. */
export type DiskLayoutDocument = z.input<typeof DiskLayoutSchema>;
export type LayoutDisk = DiskLayout['disks'][number];
export type LayoutPartition = LayoutDisk['partitions'][number];
export type Filesystem = z.infer<typeof FilesystemSchema>;
export type RaidArray = DiskLayout['raid'][number];
export type VolumeGroup = DiskLayout['lvm'][number];
export type LogicalVolume = VolumeGroup['volumes'][number];
export type PartitionType = (typeof PARTITION_TYPES)[number];
export type FilesystemType = (typeof FILESYSTEM_TYPES)[number];
export type RaidLevel = (typeof RAID_LEVELS)[number];

export interface LayoutProblem {
  /** Path into the document, e.g. ['disks', 0, 'partitions', 2, 'size']. */
  path: (string | number)[];
  message: string;
}

/** Validates a parsed JSON value: the layout with defaults filled in, or every problem found. */
export function validateDiskLayout(value: unknown): { layout?: DiskLayout; problems: LayoutProblem[] } {
  const result = DiskLayoutSchema.safeParse(value, { error: formatIssue });
  if (!result.success) {
    // An unknown key explains a missing one beside it (a typo), so it is reported first.
    const issues = [...result.error.issues].sort((a, b) => rank(a.code) - rank(b.code));
    return { problems: issues.map((i) => ({ path: i.path.map(pathKey), message: i.message })) };
  }
  const layout = fillSwapFilesystems(result.data);
  const problems = checkDiskLayout(layout);
  return problems.length === 0 ? { layout, problems } : { problems };
}

/** Parses layout.json text, or throws UserError with the path in the document and the reason. */
export function parseDiskLayout(text: string, { source = 'layout.json' } = {}): DiskLayout {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const { line, column, reason } = locateJsonError(text, error as Error);
    throw new UserError(`${source}: line ${line}, column ${column}: ${reason}; fix the JSON syntax`);
  }
  // A file that is no JSON object is not a layout someone wrote (e.g. /etc/shadow given by mistake): its
  // content is never quoted back, only its kind.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(`${source}: not a layout document: expected a JSON object {...}, got ${Array.isArray(value) ? 'a list' : value === null ? 'null' : `a ${typeof value}`}; give a layout.json (see docs/layout.md)`);
  }
  const { layout, problems } = validateDiskLayout(value);
  const first = problems[0];
  if (!layout || first) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    throw new UserError(`${source}: ${formatProblem(first ?? { path: [], message: 'invalid layout' })}${more}`);
  }
  return layout;
}

/** `disks[0].partitions[2].size: reason`, or just the reason for the document as a whole. */
export function formatProblem({ path, message }: LayoutProblem): string {
  return path.length === 0 ? message : `${formatLayoutPath(path)}: ${message}`;
}

export function formatLayoutPath(path: readonly (string | number)[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : /^[A-Za-z_]\w*$/.test(key) ? (i === 0 ? key : `.${key}`) : `[${JSON.stringify(key)}]`))
    .join('');
}

function rank(code: string): number {
  return code === 'unrecognized_keys' ? 0 : 1;
}

function pathKey(key: PropertyKey): string | number {
  return typeof key === 'number' ? key : String(key);
}

/** A swap partition without a filesystem entry is still formatted as swap: say so in the parsed layout. */
function fillSwapFilesystems(layout: DiskLayout): DiskLayout {
  for (const disk of layout.disks) {
    for (const part of disk.partitions) {
      if (part.type === 'swap' && !part.filesystem) part.filesystem = { type: 'swap', mkfsOptions: [], mountOptions: [] };
    }
  }
  return layout;
}

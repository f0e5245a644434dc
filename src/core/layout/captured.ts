import { z } from 'zod';

/**
 * The golden client's disk layout as `si prepareclient` records it in /etc/sisuite/layout.json.
 * Documented field by field in docs/prepareclient.md.
 */
export const BOOTLOADERS = ['grub-pc', 'grub-efi', 'systemd-boot', 'extlinux', 'none'] as const;

const partition = z.object({
  path: z.string(),
  number: z.number().int().positive(),
  startSector: z.number().int().nonnegative(),
  sizeSectors: z.number().int().positive(),
  /** GPT type GUID (upper case) or MBR type id (hex, e.g. "83"). */
  type: z.string(),
  uuid: z.string().nullable(),
  name: z.string().nullable(),
  flags: z.array(z.string()),
});

const disk = z.object({
  name: z.string(),
  path: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  model: z.string().nullable(),
  table: z.enum(['gpt', 'dos']).nullable(),
  tableId: z.string().nullable(),
  sectorSize: z.number().int().positive(),
  partitions: z.array(partition),
});

const filesystem = z.object({
  source: z.string(),
  fstype: z.string(),
  uuid: z.string().nullable(),
  label: z.string().nullable(),
  mountpoint: z.string(),
  options: z.string(),
  /** true for block-device filesystems that are captured; false for pseudo, remote and other virtual ones. */
  local: z.boolean(),
});

const fstabEntry = z.object({
  spec: z.string(),
  file: z.string(),
  vfstype: z.string(),
  options: z.string(),
  freq: z.number().int(),
  passno: z.number().int(),
});

const swap = z.object({
  path: z.string(),
  kind: z.enum(['partition', 'file']),
  sizeBytes: z.number().int().nonnegative(),
});

const raidArray = z.object({
  device: z.string(),
  level: z.string(),
  members: z.array(z.string()),
});

const volumeGroup = z.object({ name: z.string(), sizeBytes: z.number().nonnegative(), pvs: z.array(z.string()) });
const logicalVolume = z.object({ vg: z.string(), name: z.string(), sizeBytes: z.number().nonnegative(), path: z.string() });

const kernel = z.object({ version: z.string(), kernel: z.string(), initrd: z.string().nullable() });

const hostKey = z.object({ type: z.string(), publicKey: z.string() });

export const capturedLayoutSchema = z.object({
  schemaVersion: z.literal(1),
  capturedAt: z.string(),
  hostname: z.string(),
  disks: z.array(disk),
  raid: z.array(raidArray),
  lvm: z.object({ volumeGroups: z.array(volumeGroup), logicalVolumes: z.array(logicalVolume) }),
  filesystems: z.array(filesystem),
  fstab: z.array(fstabEntry),
  swap: z.array(swap),
  bootloader: z.object({ kind: z.enum(BOOTLOADERS), evidence: z.array(z.string()) }),
  boot: z.object({ kernels: z.array(kernel) }),
  /** What makes the golden client unique; the configurator replaces all of it on every installed host. */
  identity: z.object({ machineId: z.string().nullable(), sshHostKeys: z.array(hostKey) }),
  warnings: z.array(z.string()),
});

export type CapturedLayout = z.infer<typeof capturedLayoutSchema>;
export type CapturedDisk = z.infer<typeof disk>;
export type CapturedPartition = z.infer<typeof partition>;
export type CapturedFilesystem = z.infer<typeof filesystem>;
export type FstabEntry = z.infer<typeof fstabEntry>;

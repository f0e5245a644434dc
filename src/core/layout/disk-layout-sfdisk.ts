import type { PartitionType } from './disk-layout.js';
import type { PlannedDisk } from './partition-plan.js';

/** GPT partition type GUIDs (UEFI spec and the Discoverable Partitions Specification). */
export const GPT_TYPE_GUIDS: Record<PartitionType, string> = {
  esp: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
  bios_grub: '21686148-6449-6E6F-744E-656564454649',
  swap: '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F',
  linux: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
  raid: 'A19D880F-05FC-4D3B-A006-743F0F84911E',
  lvm: 'E6D6D379-F507-44C2-A23C-238F2A3DF928',
};

/** MBR system ids. bios_grub has none: the layout check keeps it off msdos disks. */
export const MBR_TYPE_IDS: Record<Exclude<PartitionType, 'bios_grub'>, string> = {
  esp: 'ef',
  swap: '82',
  linux: '83',
  raid: 'fd',
  lvm: '8e',
};

/**
 * sfdisk's script input for one planned disk (`sfdisk DISK < script`). Offsets and sizes carry a MiB suffix,
 * so sfdisk converts them with the disk's own sector size.
 */
export function renderSfdiskInput(disk: PlannedDisk): string {
  const lines = [`label: ${disk.table === 'gpt' ? 'gpt' : 'dos'}`, ''];
  for (const part of disk.partitions) {
    const fields = [`start=${part.startMiB}MiB`, `size=${part.sizeMiB}MiB`, `type=${typeCode(disk.table, part.type)}`];
    if (disk.table === 'gpt' && part.name !== undefined) fields.push(`name="${part.name}"`);
    if (disk.table === 'msdos' && part.bootable) fields.push('bootable');
    lines.push(fields.join(', '));
  }
  return `${lines.join('\n')}\n`;
}

export function typeCode(table: 'gpt' | 'msdos', type: PartitionType): string {
  if (table === 'gpt') return GPT_TYPE_GUIDS[type];
  return type === 'bios_grub' ? MBR_TYPE_IDS.linux : MBR_TYPE_IDS[type];
}

import { createHash } from 'node:crypto';
import type { FilesystemType } from '../layout/disk-layout.js';

/**
 * The UUID a host's filesystem gets, chosen on the server so that the configure plan (fstab, boot
 * entries) is known when the script is rendered, and the same on every re-render: a hash of the host,
 * the image and the filesystem's place in the layout, with the bits of a random (version 4) UUID.
 * vfat has a 32-bit volume id instead, written `1A2B-3C4D` (as blkid and fstab show it).
 */
export function filesystemUuid({ host, image, place, type }: { host: string; image: string; place: string; type: FilesystemType }): string {
  const hex = createHash('sha256').update(`sisuite filesystem\0${host}\0${image}\0${place}`).digest('hex');
  if (type === 'vfat') return `${hex.slice(0, 4)}-${hex.slice(4, 8)}`.toUpperCase();
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/** What mkfs.vfat -i takes: the volume id as 8 hex digits, without the dash. */
export function vfatVolumeId(uuid: string): string {
  return uuid.replace('-', '');
}

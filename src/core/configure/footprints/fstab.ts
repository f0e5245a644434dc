import type { Footprint } from '../footprint.js';

export const FSTAB_FOOTPRINTS: Footprint[] = [
  {
    id: 'fstab',
    stage: 'fstab',
    label: '/etc/fstab',
    summary: "/etc/fstab from the host's filesystems by UUID; the image's non-block entries (NFS, tmpfs, bind mounts) are kept",
    detect: { any: ['/etc/fstab', '/etc/os-release', '/usr/lib/os-release'] },
    slot: 'fstab',
    needs: ['filesystems'],
    files: [{ path: '/etc/fstab', template: 'configure/fstab/fstab' }],
  },
];

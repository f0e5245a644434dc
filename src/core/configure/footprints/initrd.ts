import type { Footprint } from '../footprint.js';

const KERNELS = '/usr/lib/modules/*';

export const INITRD_FOOTPRINTS: Footprint[] = [
  {
    id: 'update-initramfs',
    stage: 'initrd',
    label: 'update-initramfs',
    summary: 'Debian and Ubuntu: `update-initramfs -u -k all` when a kernel is installed',
    detect: { all: ['/usr/sbin/update-initramfs', KERNELS] },
    slot: 'initrd',
    commands: [{ argv: ['update-initramfs', '-u', '-k', 'all'] }],
  },
  {
    id: 'initramfs-resume',
    stage: 'initrd',
    label: 'initramfs-tools resume',
    summary: "RESUME= in /etc/initramfs-tools/conf.d/resume set to the host's swap (or none), so boot does not wait for the golden client's swap",
    detect: { all: ['/etc/initramfs-tools/conf.d/resume'] },
    edits: [
      {
        kind: 'replace',
        glob: '/etc/initramfs-tools/conf.d/resume',
        pattern: '^RESUME=.*$',
        replacement: '{{#if swap}}RESUME=UUID={{swap.uuid}}{{else}}RESUME=none{{/if}}',
      },
    ],
  },
  {
    id: 'dracut',
    stage: 'initrd',
    label: 'dracut',
    summary: 'Fedora, RHEL and clones, openSUSE: `dracut --force --kver <version>` for each kernel under /usr/lib/modules',
    detect: { any: ['/usr/bin/dracut', '/usr/sbin/dracut'], all: [KERNELS] },
    slot: 'initrd',
    commands: [{ argv: ['dracut', '--force', '--kver', '{{name}}'], each: KERNELS }],
  },
  {
    id: 'mkinitcpio',
    stage: 'initrd',
    label: 'mkinitcpio',
    summary: 'Arch: `mkinitcpio -P` (every preset)',
    detect: { all: ['/usr/bin/mkinitcpio', '/etc/mkinitcpio.d/*.preset'] },
    slot: 'initrd',
    commands: [{ argv: ['mkinitcpio', '-P'] }],
  },
];

import type { Footprint } from '../footprint.js';

export const USER_EXIT_FOOTPRINTS: Footprint[] = [
  {
    id: 'site-scripts',
    stage: 'user-exits',
    label: '/etc/sisuite/configure.d',
    summary:
      'runs every file in /etc/sisuite/configure.d (sorted) chrooted, with SI_HOSTNAME and SI_FQDN in the environment',
    detect: { all: ['/etc/sisuite/configure.d/*'] },
    slot: 'user-exits',
    commands: [
      { argv: ['env', 'SI_HOSTNAME={{host.hostname}}', 'SI_FQDN={{host.fqdn}}', '{{item}}'], each: '/etc/sisuite/configure.d/*' },
    ],
  },
];

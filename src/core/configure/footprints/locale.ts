import type { Footprint } from '../footprint.js';

const ZONE = '/usr/share/zoneinfo/{{host.timezone}}';

export const LOCALE_FOOTPRINTS: Footprint[] = [
  {
    id: 'localtime',
    stage: 'locale',
    label: 'zoneinfo',
    summary: '/etc/localtime as a symlink to ../usr/share/zoneinfo/<zone>, as timedatectl makes it',
    detect: { all: ['/usr/share/zoneinfo'] },
    slot: 'timezone',
    needs: ['timezone'],
    requires: [ZONE],
    links: [{ path: '/etc/localtime', target: '../usr/share/zoneinfo/{{host.timezone}}' }],
  },
  {
    id: 'debian-timezone',
    stage: 'locale',
    label: '/etc/timezone',
    summary: "Debian's /etc/timezone with the zone name",
    detect: { all: ['/etc/timezone'] },
    needs: ['timezone'],
    requires: [ZONE],
    files: [{ path: '/etc/timezone', template: 'configure/locale/timezone' }],
  },
  {
    id: 'debian-keyboard',
    stage: 'locale',
    label: '/etc/default/keyboard',
    summary: 'XKBLAYOUT= in /etc/default/keyboard (Debian console-setup and X)',
    detect: { all: ['/etc/default/keyboard'] },
    slot: 'keyboard',
    priority: 20,
    needs: ['keymap'],
    edits: [{ kind: 'assign', path: '/etc/default/keyboard', key: 'XKBLAYOUT', value: '{{host.keymap}}', quote: true }],
  },
  {
    id: 'vconsole',
    stage: 'locale',
    label: '/etc/vconsole.conf',
    summary: 'KEYMAP= in /etc/vconsole.conf (systemd systems: Fedora, RHEL, openSUSE, Arch)',
    detect: { any: ['/etc/vconsole.conf', '/usr/bin/localectl'] },
    slot: 'keyboard',
    priority: 10,
    needs: ['keymap'],
    edits: [{ kind: 'assign', path: '/etc/vconsole.conf', key: 'KEYMAP', value: '{{host.keymap}}' }],
  },
];

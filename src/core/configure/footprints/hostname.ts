import type { Footprint } from '../footprint.js';

export const HOSTNAME_FOOTPRINTS: Footprint[] = [
  {
    id: 'etc-hostname',
    stage: 'hostname',
    label: '/etc/hostname',
    summary: '/etc/hostname with the short host name',
    detect: { any: ['/etc/hostname', '/usr/lib/systemd/systemd', '/lib/systemd/systemd'] },
    slot: 'hostname',
    files: [{ path: '/etc/hostname', template: 'configure/hostname/hostname' }],
  },
  {
    id: 'suse-hostname',
    stage: 'hostname',
    label: '/etc/HOSTNAME',
    summary: "SUSE's /etc/HOSTNAME with the fully qualified name",
    detect: { all: ['/etc/HOSTNAME'] },
    files: [{ path: '/etc/HOSTNAME', template: 'configure/hostname/suse-hostname' }],
  },
  {
    id: 'sysconfig-network-hostname',
    stage: 'hostname',
    label: '/etc/sysconfig/network',
    summary: 'the HOSTNAME= line of /etc/sysconfig/network, where one is set (older Red Hat systems)',
    detect: { all: ['/etc/sysconfig/network'] },
    edits: [{ kind: 'replace', glob: '/etc/sysconfig/network', pattern: '^HOSTNAME=.*$', replacement: 'HOSTNAME={{host.fqdn}}' }],
  },
  {
    id: 'etc-hosts',
    stage: 'hostname',
    label: '/etc/hosts',
    summary: '/etc/hosts with localhost and the host under its static address (127.0.1.1 without one)',
    detect: { all: ['/etc'] },
    slot: 'hosts',
    files: [{ path: '/etc/hosts', template: 'configure/hostname/hosts' }],
  },
];

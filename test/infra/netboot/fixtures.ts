import type { ClientRecord } from '../../../src/core/clients/client-record.js';
import { parseNetbootSettings } from '../../../src/core/netboot/index.js';

const base: ClientRecord = {
  hostname: 'node001', domain: 'cluster.example.org', ip: '10.1.0.11', netmask: '255.255.255.0', gateway: '10.1.0.1',
  dns: ['10.1.0.2', '10.1.0.3'], macs: [], image: 'bookworm', groups: ['compute'], overrides: [], bootMode: 'install', installState: 'new',
};

/** Armed for install with two MACs; installed (served local boot); defined without a MAC in a second subnet. */
export const CLIENTS: ClientRecord[] = [
  { ...base, macs: ['52:54:00:00:01:01', '52:54:00:00:01:02'] },
  { ...base, hostname: 'node002', ip: '10.1.0.12', macs: ['52:54:00:00:01:03'], installState: 'installed', bootMode: 'local' },
  { ...base, hostname: 'gpu001', ip: '10.2.0.21', netmask: '255.255.0.0', gateway: null, dns: [], domain: null, groups: ['gpu'], macs: [], bootMode: 'local' },
];

export const SETTINGS_JSON = {
  server: '10.1.0.1',
  httpPort: 8080,
  timeoutSeconds: 5,
  kernelArgs: {
    all: ['console=tty0', 'quiet'],
    groups: { compute: ['console=ttyS0,115200n8'], gpu: ['nomodeset'] },
    hosts: { node001: ['-quiet', 'si.post=poweroff'] },
  },
  entries: [
    {
      name: 'smartos', label: 'SmartOS 20140207', type: 'multiboot',
      kernel: 'smartos/20140207/platform/i86pc/kernel/amd64/unix', args: ['-B', 'smartos=true,console=ttyb,noimport=true'],
      modules: ['smartos/20140207/platform/i86pc/amd64/boot_archive'], overlay: 'smartos/overlay',
    },
    { name: 'rescue', label: 'Debian rescue', type: 'linux', kernel: 'rescue/vmlinuz', args: ['rescue/enable=true'], modules: ['rescue/initrd.gz'], groups: ['compute'] },
  ],
};

export const SETTINGS = parseNetbootSettings(JSON.stringify(SETTINGS_JSON), 'netboot.json');
export const OVERLAYS = { smartos: ['etc/system', 'kernel/drv/dtrace.conf'] };

import type { Footprint } from '../footprint.js';

const NM = '/usr/sbin/NetworkManager';
const NETPLAN = '/usr/sbin/netplan';

function netplan(id: string, renderer: string, detect: Footprint['detect']): Footprint {
  return {
    id,
    stage: 'network',
    label: 'netplan',
    summary: `/etc/netplan/50-sisuite.yaml (renderer ${renderer}) matching each interface by MAC; other /etc/netplan/*.yaml removed`,
    detect,
    slot: 'network-stack',
    priority: 50,
    needs: ['interfaces'],
    vars: { renderer },
    files: [{ path: '/etc/netplan/50-sisuite.yaml', template: 'configure/network/netplan', mode: '0600' }],
    remove: [{ glob: '/etc/netplan/*.yaml' }, { glob: '/etc/netplan/*.yml' }],
  };
}

export const NETWORK_FOOTPRINTS: Footprint[] = [
  {
    id: 'ifupdown',
    stage: 'network',
    label: 'ifupdown',
    summary:
      '/etc/network/interfaces with one `auto mac/<MAC>/=<name>` stanza per interface; /etc/network/interfaces.d/* removed; networking.service waits for udev (a NIC whose driver loads late is still there for ifup -a)',
    detect: { all: ['/etc/network/interfaces'], any: ['/sbin/ifup', '/usr/sbin/ifup'] },
    slot: 'network-stack',
    priority: 20,
    needs: ['interfaces'],
    files: [
      { path: '/etc/network/interfaces', template: 'configure/network/interfaces' },
      { path: '/etc/systemd/system/networking.service.d/sisuite-settle.conf', template: 'configure/network/networking-settle' },
    ],
    remove: [{ glob: '/etc/network/interfaces.d/*' }],
  },
  netplan('netplan', 'networkd', { all: [NETPLAN, '/etc/netplan'], none: [NM] }),
  netplan('netplan-networkmanager', 'NetworkManager', { all: [NETPLAN, '/etc/netplan', NM] }),
  {
    id: 'networkmanager',
    stage: 'network',
    label: 'NetworkManager',
    summary:
      'a keyfile /etc/NetworkManager/system-connections/sisuite-<name>.nmconnection per interface (bound to its MAC); other profiles and ifcfg files removed',
    detect: { all: [NM, '/etc/NetworkManager'] },
    slot: 'network-stack',
    priority: 40,
    needs: ['interfaces'],
    files: [
      {
        path: '/etc/NetworkManager/system-connections/sisuite-{{nic.name}}.nmconnection',
        template: 'configure/network/nmconnection',
        mode: '0600',
        each: 'interface',
      },
    ],
    remove: [
      { glob: '/etc/NetworkManager/system-connections/*' },
      { glob: '/etc/sysconfig/network-scripts/ifcfg-*', keep: ['/etc/sysconfig/network-scripts/ifcfg-lo'] },
    ],
  },
  {
    id: 'ifupdown-yields-to-networkmanager',
    stage: 'network',
    label: 'ifupdown',
    summary: 'with NetworkManager on Debian: /etc/network/interfaces reduced to loopback, so NetworkManager manages every interface',
    detect: { all: ['/etc/network/interfaces', NM], none: [NETPLAN] },
    files: [{ path: '/etc/network/interfaces', template: 'configure/network/interfaces-loopback' }],
    remove: [{ glob: '/etc/network/interfaces.d/*' }],
  },
  {
    id: 'systemd-networkd',
    stage: 'network',
    label: 'systemd-networkd',
    summary: '/etc/systemd/network/10-sisuite-<name>.network per interface, [Match] MACAddress=; other *.network files removed',
    detect: {
      all: ['/usr/lib/systemd/systemd-networkd'],
      any: ['/etc/systemd/system/multi-user.target.wants/systemd-networkd.service', '/etc/systemd/network/*.network'],
    },
    slot: 'network-stack',
    priority: 30,
    needs: ['interfaces'],
    files: [
      { path: '/etc/systemd/network/10-sisuite-{{nic.name}}.network', template: 'configure/network/networkd', each: 'interface' },
    ],
    remove: [{ glob: '/etc/systemd/network/*.network' }],
  },
  {
    id: 'ifcfg-rh',
    stage: 'network',
    label: 'ifcfg',
    summary:
      'Red Hat /etc/sysconfig/network-scripts/ifcfg-<name> per interface with HWADDR= (DEVICE= only for named interfaces); other ifcfg files but ifcfg-lo removed',
    detect: {
      all: ['/etc/sysconfig/network-scripts'],
      any: ['/etc/sysconfig/network-scripts/ifup-eth', '/etc/sysconfig/network-scripts/ifcfg-*'],
    },
    slot: 'network-stack',
    priority: 45,
    needs: ['interfaces'],
    files: [{ path: '/etc/sysconfig/network-scripts/ifcfg-{{nic.name}}', template: 'configure/network/ifcfg-rh', each: 'interface' }],
    remove: [{ glob: '/etc/sysconfig/network-scripts/ifcfg-*', keep: ['/etc/sysconfig/network-scripts/ifcfg-lo'] }],
  },
  {
    id: 'ifcfg-suse',
    stage: 'network',
    label: 'ifcfg',
    summary:
      'SUSE (wicked) /etc/sysconfig/network/ifcfg-<name> per interface, a systemd .link file naming it by MAC, the default route in /etc/sysconfig/network/routes and NETCONFIG_DNS_STATIC_SERVERS',
    detect: { all: ['/etc/sysconfig/network/config', '/usr/sbin/wicked'] },
    slot: 'network-stack',
    priority: 45,
    needs: ['interfaces'],
    files: [
      { path: '/etc/sysconfig/network/ifcfg-{{nic.name}}', template: 'configure/network/ifcfg-suse', each: 'interface' },
      { path: '/etc/systemd/network/70-sisuite-{{nic.name}}.link', template: 'configure/network/link', each: 'interface' },
      { path: '/etc/sysconfig/network/routes', template: 'configure/network/suse-routes' },
    ],
    edits: [
      { kind: 'assign', path: '/etc/sysconfig/network/config', key: 'NETCONFIG_DNS_STATIC_SERVERS', value: '{{join dns " "}}', quote: true },
    ],
    remove: [
      { glob: '/etc/sysconfig/network/ifcfg-*', keep: ['/etc/sysconfig/network/ifcfg-lo'] },
      { glob: '/etc/systemd/network/70-sisuite-*.link' },
    ],
  },
  {
    id: 'udev-persistent-net',
    stage: 'network',
    label: 'udev persistent net rules',
    summary: "removes /etc/udev/rules.d/70-persistent-net.rules, which pins interface names to the golden client's MACs",
    detect: { all: ['/etc/udev/rules.d/70-persistent-net.rules'] },
    remove: [{ glob: '/etc/udev/rules.d/70-persistent-net.rules' }],
  },
];

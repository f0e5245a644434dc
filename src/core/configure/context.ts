import { createHash } from 'node:crypto';
import type { FilesystemConfig, HostConfig } from './host-config.js';
import { expandGlob, type SystemInfo, type TreeReader } from './tree.js';

/** What every footprint template sees. Absent values are null: templates compile strict. */
export interface PlanContext {
  host: {
    hostname: string;
    domain: string | null;
    fqdn: string;
    /** `fqdn hostname`, or just the hostname without a domain (for /etc/hosts). */
    names: string;
    /** First static address, or null (then /etc/hosts uses 127.0.1.1). */
    address: string | null;
    timezone: string | null;
    keymap: string | null;
    bootDisk: string | null;
  };
  interfaces: NicContext[];
  /** Every DNS server of every interface, once each. */
  dns: string[];
  filesystems: FilesystemConfig[];
  root: FilesystemConfig | null;
  swap: FilesystemConfig | null;
  /** The filesystem holding /boot and the path of /boot inside it ('' when /boot is separate). */
  boot: { uuid: string; prefix: string } | null;
  /** Lines of the tree's /etc/fstab that are not block devices (NFS, tmpfs, bind...): kept. */
  fstabExtra: string[];
  system: SystemInfo;
  /** Kernel versions found under /usr/lib/modules. */
  kernels: string[];
  vars: Record<string, string>;
}

export interface NicContext {
  index: number;
  name: string;
  /** True when the registry named the interface (stacks that can rename it then do). */
  named: boolean;
  mac: string;
  dhcp: boolean;
  ip: string | null;
  prefix: number | null;
  cidr: string | null;
  netmask: string | null;
  gateway: string | null;
  dns: string[];
  /** Stable per host and MAC, for NetworkManager profiles. */
  uuid: string;
}

function netmask(prefix: number): string {
  const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (bits >>> shift) & 0xff).join('.');
}

function stableUuid(seed: string): string {
  const hex = createHash('sha1').update(seed).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

const BLOCK_SPEC = /^(UUID|LABEL|PARTUUID|PARTLABEL)=|^\/dev\//;

function keptFstabLines(tree: TreeReader, filesystems: FilesystemConfig[]): string[] {
  const ours = new Set(filesystems.map((fs) => fs.mountpoint));
  return (tree.readFile('/etc/fstab') ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => {
      if (line === '' || line.startsWith('#')) return false;
      const [spec = '', mountpoint = '', fstype = ''] = line.split(/\s+/);
      return !BLOCK_SPEC.test(spec) && !ours.has(mountpoint) && fstype !== 'swap';
    });
}

/** Parents before children, swap last: the order mount(8) needs. */
function fstabOrder(filesystems: FilesystemConfig[]): FilesystemConfig[] {
  const depth = (fs: FilesystemConfig) => (fs.mountpoint === 'none' ? 1000 : fs.mountpoint.split('/').filter(Boolean).length);
  return [...filesystems].sort((a, b) => depth(a) - depth(b) || a.mountpoint.localeCompare(b.mountpoint));
}

export function buildContext(options: { tree: TreeReader; host: HostConfig; system: SystemInfo }): PlanContext {
  const { tree, host, system } = options;
  const interfaces = host.interfaces.map((nic, index): NicContext => ({
    index,
    name: nic.name ?? `nic${index}`,
    named: nic.name !== undefined,
    mac: nic.mac,
    dhcp: nic.dhcp === true,
    ip: nic.ip ?? null,
    prefix: nic.prefix ?? null,
    cidr: nic.ip !== undefined && nic.prefix !== undefined ? `${nic.ip}/${nic.prefix}` : null,
    netmask: nic.prefix !== undefined ? netmask(nic.prefix) : null,
    gateway: nic.gateway ?? null,
    dns: nic.dns ?? [],
    uuid: stableUuid(`${host.hostname}/${nic.mac}`),
  }));
  const fqdn = host.domain ? `${host.hostname}.${host.domain}` : host.hostname;
  const root = host.filesystems.find((fs) => fs.mountpoint === '/') ?? null;
  const bootFs = host.filesystems.find((fs) => fs.mountpoint === '/boot');
  return {
    host: {
      hostname: host.hostname,
      domain: host.domain ?? null,
      fqdn,
      names: fqdn === host.hostname ? host.hostname : `${fqdn} ${host.hostname}`,
      address: interfaces.find((nic) => nic.ip !== null)?.ip ?? null,
      timezone: host.timezone ?? null,
      keymap: host.keymap ?? null,
      bootDisk: host.bootDisk ?? null,
    },
    interfaces,
    dns: [...new Set(interfaces.flatMap((nic) => nic.dns))],
    filesystems: fstabOrder(host.filesystems),
    root,
    swap: host.filesystems.find((fs) => fs.fstype === 'swap') ?? null,
    boot: bootFs ? { uuid: bootFs.uuid, prefix: '' } : root ? { uuid: root.uuid, prefix: '/boot' } : null,
    fstabExtra: keptFstabLines(tree, host.filesystems),
    system,
    kernels: expandGlob(tree, '/usr/lib/modules/*').map((path) => path.slice('/usr/lib/modules/'.length)),
    vars: {},
  };
}

import type { ClientRecord } from '../clients/client-record.js';
import { describeSubnet, formatIPv4, formatSubnet, isIPv4, isInSubnet, parseIPv4, type Subnet } from '../clients/ipv4.js';
import { UserError } from '../errors.js';
import { planDhcp, type DhcpContext } from './dhcp-plan.js';

/** The interface `si netboot serve` answers on, as `ip addr` reports it. */
export interface ServeInterface {
  name: string;
  /** Its first IPv4 address. */
  address: string;
  prefix: number;
}

export interface PlanServeOptions {
  iface: ServeInterface;
  /** The address clients reach the server on (default: the interface's). */
  server: string;
  httpPort: number;
  /** `A,B` from --dhcp-range: a pool for machines the registry does not know (discovery). */
  dhcpRange?: string;
  proxy: boolean;
  clients: readonly ClientRecord[];
  tftpRoot: string;
  hostsFile: string;
  leaseFile: string;
}

/** The context of templates/netboot/dnsmasq-serve.hbs. */
export interface ServeDnsmasqContext extends DhcpContext {
  interface: string;
  hostsFile: string;
  leaseFile: string;
  tftpMax: number;
  proxy: boolean;
  network: string;
  netmask: string;
  /** The dynamic pool, or null: then only the registry's clients get an address (static leases). */
  range: { start: string; end: string } | null;
  /** Router, DNS and domain for the interface's subnet: those of its first client, as `si netboot config` does. */
  options: { gateway: string | null; dns: string[]; domain: string | null };
}

/**
 * TFTP transfers served at once. dnsmasq's default of 50 stalls a rack booting together (each PXE ROM
 * retries after seconds); each transfer costs one file descriptor, and 1000 stays far below the usual limit.
 */
export const TFTP_MAX = 1000;

/** Files the TFTP root must hold, and the Debian package each comes from. */
export const BOOT_LOADERS: readonly { file: string; source: string; pkg: string }[] = [
  { file: 'undionly.kpxe', source: '/usr/lib/ipxe/undionly.kpxe', pkg: 'ipxe' },
  { file: 'ipxe.efi', source: '/usr/lib/ipxe/ipxe.efi', pkg: 'ipxe' },
  { file: 'snponly.efi', source: '/usr/lib/ipxe/snponly.efi', pkg: 'ipxe' },
  { file: 'pxelinux.0', source: '/usr/lib/PXELINUX/pxelinux.0', pkg: 'pxelinux' },
  { file: 'ldlinux.c32', source: '/usr/lib/syslinux/modules/bios/ldlinux.c32', pkg: 'syslinux-common' },
  { file: 'mboot.c32', source: '/usr/lib/syslinux/modules/bios/mboot.c32', pkg: 'syslinux-common' },
  { file: 'libcom32.c32', source: '/usr/lib/syslinux/modules/bios/libcom32.c32', pkg: 'syslinux-common' },
];

/** What an unknown MAC is served: its local disk, BIOS or UEFI. */
export const LOCAL_BOOT_IPXE = [
  '#!ipxe',
  '# si netboot serve: this MAC is not a sisuite client: boot from the local disk.',
  // exit 1, not exit: UEFI firmware goes on to its next boot option only after a boot option that failed.
  'iseq ${platform} efi && exit 1 ||',
  'sanboot --no-describe --drive 0x80 || exit 1',
  '',
].join('\n');

export function interfaceSubnet(iface: ServeInterface): Subnet {
  return describeSubnet({ ip: parseIPv4(iface.address), prefix: iface.prefix });
}

/** `A,B` inside the interface's subnet, A <= B, neither the server itself. */
export function parseDhcpRange(text: string, iface: ServeInterface): { start: string; end: string } {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 2 || !parts.every(isIPv4)) {
    throw new UserError(`invalid --dhcp-range ${JSON.stringify(text)}: give two addresses, first and last, e.g. 10.1.0.100,10.1.0.199`);
  }
  const subnet = interfaceSubnet(iface);
  const [start, end] = parts.map((p) => parseIPv4(p)) as [number, number];
  const inside = (ip: number) => isInSubnet(ip, subnet) && ip > subnet.network && ip < subnet.broadcast;
  if (!inside(start) || !inside(end)) {
    throw new UserError(`--dhcp-range ${text} is not inside ${iface.name}'s subnet ${formatSubnet(subnet)}: give host addresses of that subnet`);
  }
  if (start > end) throw new UserError(`--dhcp-range ${text} ends before it starts: give the first address, then the last`);
  const server = parseIPv4(iface.address);
  if (server >= start && server <= end) {
    throw new UserError(`--dhcp-range ${text} holds the server's own address ${iface.address}: give a pool without it`);
  }
  return { start: formatIPv4(start), end: formatIPv4(end) };
}

/**
 * dnsmasq's config for `si netboot serve`: DHCP on one interface (static leases from a hosts file that
 * SIGHUP re-reads, an optional pool) or proxyDHCP beside the site's server, TFTP for the first loader,
 * router advertisements. The boot-file answers are the ones `si netboot config` renders (planDhcp).
 */
export function planServeDnsmasq(options: PlanServeOptions): ServeDnsmasqContext {
  const { iface, proxy } = options;
  const subnet = interfaceSubnet(iface);
  const range = options.dhcpRange === undefined ? null : parseDhcpRange(options.dhcpRange, iface);
  if (proxy && range) throw new UserError('--dhcp-range and --proxy-dhcp exclude each other: the site\'s DHCP server hands out the addresses in proxy mode');
  const dhcp = planDhcp(options.clients, { server: options.server, httpPort: options.httpPort, tftpRoot: options.tftpRoot });
  const own = dhcp.subnets.find((s) => s.network === formatIPv4(subnet.network) && s.prefix === subnet.prefix);
  return {
    ...dhcp,
    interface: iface.name,
    hostsFile: options.hostsFile,
    leaseFile: options.leaseFile,
    tftpMax: TFTP_MAX,
    proxy,
    network: formatIPv4(subnet.network),
    netmask: subnet.netmask,
    range,
    options: { gateway: own?.gateway ?? null, dns: own?.dns ?? [], domain: own?.domain ?? null },
  };
}

/** The dhcp-hostsfile: one static lease per client (all its MACs), re-read by dnsmasq on SIGHUP. */
export function planDhcpHostsFile(clients: readonly ClientRecord[]): string {
  const dhcp = planDhcp(clients, { server: '0.0.0.0', httpPort: 80, tftpRoot: '/' });
  const lines = dhcp.subnets.flatMap((s) => s.leases.map((l) => `${l.macs},${l.ip},${l.hostname}`));
  return ['# Generated by si netboot serve from the registry; dnsmasq re-reads it on SIGHUP.', ...lines, ''].join('\n');
}

/** A MAC as iPXE puts it in a URL (`${netX/mac:hexhyp}`: 52-54-00-00-00-01) in colon form, or null. */
export function macFromHyphens(text: string): string | null {
  return /^([0-9a-f]{2}-){5}[0-9a-f]{2}$/i.test(text) ? text.toLowerCase().replaceAll('-', ':') : null;
}

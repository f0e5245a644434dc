import type { ClientRecord } from '../clients/client-record.js';
import { parseIPv4 } from '../clients/ipv4.js';
import { UserError } from '../errors.js';
import { httpBase, planBootMenu, type BootMenu, type MenuOptions } from './boot-menu.js';
import { keaConfig, planDhcp } from './dhcp-plan.js';

/** Where a file goes: the TFTP root, or the netboot folder (iPXE scripts served over HTTP, DHCP configs). */
export type NetbootRoot = 'tftpboot' | 'netboot';

export interface NetbootFile {
  root: NetbootRoot;
  /** Relative to its root. */
  path: string;
  template: string;
  context: object;
  host?: string;
}

export interface PlanNetbootOptions extends MenuOptions {
  clients: readonly ClientRecord[];
  /** The TFTP root as dnsmasq will see it (an absolute path). */
  tftpRoot: string;
}

const dashed = (mac: string) => mac.toLowerCase().replaceAll(':', '-');
/** PXELINUX's name for an address: 10.1.0.10 -> 0A01000A. */
export const hexIp = (ip: string) => parseIPv4(ip).toString(16).toUpperCase().padStart(8, '0');

/** The iPXE view of a menu: URLs, milliseconds, and the literal BOOTIF of the MAC the script is for. */
function ipxeContext(menu: BootMenu, mac: string, base: string) {
  return {
    ...menu,
    mac,
    base,
    defaultItem: menu.choice,
    timeoutMs: menu.timeoutSeconds * 1000,
    installArgs: ['initrd=initrd.img', ...menu.install.args, `BOOTIF=01-${dashed(mac)}`].join(' '),
  };
}

function pxelinuxContext(menu: BootMenu) {
  return {
    ...menu,
    defaultLabel: menu.choice,
    // PXELINUX counts tenths of a second; 0 would wait for ever.
    timeoutTenths: Math.max(1, menu.timeoutSeconds * 10),
    installArgs: [`initrd=${menu.install.initrd}`, ...menu.install.args].join(' '),
    entries: menu.entries.map((e) => ({
      ...e,
      // mboot.c32 KERNEL ARGS --- MODULE ARGS --- ...; a linux entry lists its initrds in initrd=.
      append: e.multiboot
        ? [e.kernel, e.args, ...e.modules.map((m) => `--- ${m.path}${m.args ? ` ${m.args}` : ''}`)].filter(Boolean).join(' ')
        : [e.modules.length ? `initrd=${e.modules.map((m) => m.path).join(',')}` : '', e.args].filter(Boolean).join(' '),
    })),
  };
}

function grubContext(menu: BootMenu, mac: string, server: string, port: number) {
  return {
    ...menu,
    mac,
    httpRoot: port === 80 ? `(http,${server})` : `(http,${server}:${port})`,
    defaultId: menu.choice,
    installArgs: [...menu.install.args, `BOOTIF=01-${dashed(mac)}`].join(' '),
  };
}

/**
 * One MAC's iPXE script as the boot server answers it on each request: the same template and context as
 * the file `si netboot config` writes (`settings.server` must be set).
 */
export function planIpxeScript(client: ClientRecord, mac: string, options: MenuOptions): NetbootFile {
  const base = httpBase(options.settings.server ?? '', options.settings.httpPort);
  return { root: 'netboot', path: `ipxe/${dashed(mac)}.ipxe`, template: 'netboot/ipxe', context: ipxeContext(planBootMenu(client, options), mac, base), host: client.hostname };
}

/**
 * Every file `si netboot config` writes, with the template and context of each: per MAC an iPXE script,
 * a PXELINUX file and a GRUB-EFI file; per client with an address a PXELINUX hex-IP file (for clients
 * known by address only); the first iPXE script all MACs chain from; the dnsmasq, ISC dhcpd and Kea configs.
 */
export function planNetboot(options: PlanNetbootOptions): NetbootFile[] {
  const server = options.settings.server;
  if (!server) throw new UserError('no boot server address: give --server IP, or set "server" in the netboot settings file');
  const port = options.settings.httpPort;
  const base = httpBase(server, port);
  const files: NetbootFile[] = [{ root: 'netboot', path: 'boot.ipxe', template: 'netboot/boot-ipxe', context: { base } }];
  const clients = [...options.clients].sort((a, b) => a.hostname.localeCompare(b.hostname));
  for (const client of clients) {
    const menu = planBootMenu(client, options);
    for (const mac of client.macs) {
      const host = client.hostname;
      files.push(planIpxeScript(client, mac, options));
      files.push({ root: 'tftpboot', path: `pxelinux.cfg/01-${dashed(mac)}`, template: 'netboot/pxelinux', context: pxelinuxContext(menu), host });
      files.push({ root: 'tftpboot', path: `grub/grub.cfg-01-${dashed(mac)}`, template: 'netboot/grub-efi', context: grubContext(menu, mac, server, port), host });
    }
    files.push({ root: 'tftpboot', path: `pxelinux.cfg/${hexIp(client.ip)}`, template: 'netboot/pxelinux', context: pxelinuxContext(menu), host: client.hostname });
  }
  const dhcp = planDhcp(clients, { server, httpPort: port, tftpRoot: options.tftpRoot });
  files.push({ root: 'netboot', path: 'dnsmasq.conf', template: 'netboot/dnsmasq', context: dhcp });
  files.push({ root: 'netboot', path: 'dhcpd.conf', template: 'netboot/dhcpd', context: dhcp });
  files.push({ root: 'netboot', path: 'kea-dhcp4.conf', template: 'netboot/kea-dhcp4', context: { json: JSON.stringify(keaConfig(dhcp), null, 2) } });
  return files;
}

import type { ClientRecord } from '../clients/client-record.js';
import { describeSubnet, formatIPv4, parseIPv4, parseNetmask } from '../clients/ipv4.js';
import { httpBase } from './boot-menu.js';

export interface DhcpHost {
  /** Unique per MAC: `node001` or `node001-1` for a second MAC. */
  id: string;
  hostname: string;
  mac: string;
  ip: string;
}

export interface DhcpSubnet {
  /** Kea's subnet id, counted from 1 in address order. */
  id: number;
  tag: string;
  network: string;
  netmask: string;
  prefix: number;
  gateway: string | null;
  dns: string[];
  domain: string | null;
  hosts: DhcpHost[];
  /** One per client with all its MACs: dnsmasq refuses a second dhcp-host line for the same address. */
  leases: { hostname: string; ip: string; macs: string }[];
}

/** What every DHCP renderer gets: static leases per client MAC, grouped by the clients' subnets. */
export interface DhcpContext {
  server: string;
  tftpRoot: string;
  /** Where iPXE, once loaded, fetches its first script (it chains to the per-MAC one). */
  ipxeScriptUrl: string;
  /** UEFI HTTP boot firmware gets the loader straight over HTTP. */
  efiHttpUrl: string;
  biosLoader: string;
  efiLoader: string;
  subnets: DhcpSubnet[];
}

export function planDhcp(clients: readonly ClientRecord[], options: { server: string; httpPort: number; tftpRoot: string }): DhcpContext {
  const bySubnet = new Map<number, { prefix: number; clients: ClientRecord[] }>();
  for (const client of [...clients].sort((a, b) => parseIPv4(a.ip) - parseIPv4(b.ip))) {
    const prefix = parseNetmask(client.netmask);
    const { network } = describeSubnet({ ip: parseIPv4(client.ip), prefix });
    const key = network * 64 + prefix;
    const slot = bySubnet.get(key) ?? { prefix, clients: [] };
    slot.clients.push(client);
    bySubnet.set(key, slot);
  }
  const subnets = [...bySubnet.entries()].sort(([a], [b]) => a - b).map(([key, { prefix, clients: members }], i): DhcpSubnet => {
    const first = members[0]!;
    return {
      id: i + 1,
      tag: `net${i + 1}`,
      network: formatIPv4(Math.floor(key / 64)),
      netmask: first.netmask,
      prefix,
      // The first client's (in address order) gateway and DNS speak for its subnet.
      gateway: first.gateway,
      dns: first.dns,
      domain: first.domain,
      leases: members.filter((c) => c.macs.length > 0).map((c) => ({ hostname: c.hostname, ip: c.ip, macs: c.macs.join(',') })),
      hosts: members.flatMap((c) => c.macs.map((mac, m) => ({ id: m === 0 ? c.hostname : `${c.hostname}-${m}`, hostname: c.hostname, mac, ip: c.ip }))),
    };
  });
  const base = httpBase(options.server, options.httpPort);
  return {
    server: options.server,
    tftpRoot: options.tftpRoot,
    ipxeScriptUrl: `${base}/boot.ipxe`,
    // snponly.efi drives the NIC through the firmware's own network driver and hands control back to the
    // firmware on `exit 1`, which then tries its next boot option (ipxe.efi hangs there under OVMF).
    efiHttpUrl: `${base}/snponly.efi`,
    biosLoader: 'undionly.kpxe',
    efiLoader: 'snponly.efi',
    subnets,
  };
}

/** kea-dhcp4's configuration as data; the template prints it as JSON. */
export function keaConfig(dhcp: DhcpContext): object {
  return {
    Dhcp4: {
      'interfaces-config': { interfaces: ['*'] },
      'lease-database': { type: 'memfile', persist: true, name: '/var/lib/kea/kea-leases4.csv' },
      'valid-lifetime': 43200,
      // A client with two NICs has one address: both MACs reserve it (only one boots at a time).
      'ip-reservations-unique': false,
      'client-classes': [
        // iPXE sends user-class "iPXE" (option 77): it gets its script instead of loading itself again.
        { name: 'ipxe', test: "substring(option[77].hex,0,4) == 'iPXE'", 'boot-file-name': dhcp.ipxeScriptUrl },
        { name: 'efi-http', test: "not member('ipxe') and option[93].hex == 0x0010", 'boot-file-name': dhcp.efiHttpUrl, 'option-data': [{ name: 'vendor-class-identifier', data: 'HTTPClient' }] },
        { name: 'efi64', test: "not member('ipxe') and (option[93].hex == 0x0007 or option[93].hex == 0x0009)", 'next-server': dhcp.server, 'boot-file-name': dhcp.efiLoader },
        { name: 'bios', test: "not member('ipxe') and not member('efi-http') and not member('efi64')", 'next-server': dhcp.server, 'boot-file-name': dhcp.biosLoader },
      ],
      subnet4: dhcp.subnets.map((s) => ({
        id: s.id,
        subnet: `${s.network}/${s.prefix}`,
        'option-data': [
          ...(s.gateway ? [{ name: 'routers', data: s.gateway }] : []),
          ...(s.dns.length ? [{ name: 'domain-name-servers', data: s.dns.join(', ') }] : []),
          ...(s.domain ? [{ name: 'domain-name', data: s.domain }] : []),
        ],
        reservations: s.hosts.map((h) => ({ 'hw-address': h.mac, 'ip-address': h.ip, hostname: h.hostname })),
      })),
    },
  };
}

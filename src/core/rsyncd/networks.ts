import { formatIPv4, netmaskFromPrefix, parseIPv4, parseNetmask } from '../clients/ipv4.js';
import type { ClientRecord } from '../clients/client-record.js';

interface Network {
  base: number;
  prefix: number;
}

const maskOf = (prefix: number): number => parseIPv4(netmaskFromPrefix(prefix));

function contains(outer: Network, inner: Network): boolean {
  return outer.prefix <= inner.prefix && ((inner.base & maskOf(outer.prefix)) >>> 0) === outer.base;
}

/**
 * The networks the clients live in, as CIDR (`10.0.0.0/24`): each client's ip masked by its netmask,
 * deduplicated, networks inside a wider one dropped, sorted by address. This is what `hosts allow` admits.
 */
export function networksOfClients(clients: readonly Pick<ClientRecord, 'ip' | 'netmask'>[]): string[] {
  const networks = clients.map(({ ip, netmask }): Network => {
    const prefix = parseNetmask(netmask);
    return { base: (parseIPv4(ip) & maskOf(prefix)) >>> 0, prefix };
  });
  const kept: Network[] = [];
  for (const network of [...networks].sort((a, b) => a.prefix - b.prefix)) {
    if (!kept.some((wider) => contains(wider, network))) kept.push(network);
  }
  return kept.sort((a, b) => a.base - b.base || a.prefix - b.prefix).map((n) => `${formatIPv4(n.base)}/${n.prefix}`);
}

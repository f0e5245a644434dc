import { UserError } from '../errors.js';
import type { ClientRecord } from './client-record.js';

/** The registered clients a host range names, in range order; every name must exist. */
export function selectClients(names: readonly string[], find: (hostname: string) => ClientRecord | undefined): ClientRecord[] {
  const clients: ClientRecord[] = [];
  const missing: string[] = [];
  for (const name of names) {
    const client = find(name);
    if (client) clients.push(client);
    else missing.push(name);
  }
  if (missing.length > 0) {
    throw new UserError(`no client named ${missing[0]}${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}: see 'si client list', or add it with 'si addclients'`);
  }
  return clients;
}

/** Lines of an /etc/hosts fragment: the address, then the FQDN when there is a domain, then the short name. */
export function hostsLines(clients: readonly ClientRecord[]): { ip: string; names: string[] }[] {
  return clients.map((c) => ({ ip: c.ip, names: [...(c.domain ? [`${c.hostname}.${c.domain}`] : []), c.hostname] }));
}

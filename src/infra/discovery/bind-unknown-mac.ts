import type { ClientRecord } from '../../core/clients/client-record.js';
import { normalizeMac } from '../../core/clients/mac.js';
import { decideBinding } from '../../core/discovery/bind-plan.js';
import { ClientRegistry } from '../db/client-registry.js';
import type { Db } from '../db/database.js';
import { recordUnknownMac } from './unknown-macs.js';

export interface BoundHost {
  host: string;
  /** True when this call bound the MAC to the host; false when the MAC was the host's already. */
  bound: boolean;
}

/**
 * The boot server's "who is this MAC?" for a MAC it does not know (docs/netboot.md, Discovery): the first
 * host waiting for discovery (natural order: node001 before node002) gets the MAC, stops waiting and is armed
 * for install; a MAC a host already has returns that host; with no host waiting the MAC is recorded in
 * netboot_unknown and the answer is null. One BEGIN IMMEDIATE transaction: two machines asking at once never
 * get the same host. `mac` in any form normalizeMac reads (a UserError for anything else: answer 400);
 * `ip` is the address it asked from ('' when unknown).
 */
export function bindUnknownMac(db: Db, mac: string, ip: string, now: string = new Date().toISOString()): BoundHost | null {
  const normal = normalizeMac(mac);
  // node:http reports IPv4 peers of a dual-stack socket as ::ffff:a.b.c.d.
  const address = ip.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  const clients = new ClientRegistry(db);
  return clients.writeTransaction(() => {
    const waitingNames = db.prepare('SELECT hostname FROM clients WHERE discover = 1').pluck().all() as string[];
    const waiting = waitingNames.map((name) => clients.findClient(name)).filter((c): c is ClientRecord => c !== undefined);
    const decision = decideBinding({ mac: normal, holder: clients.findClientByMac(normal), waiting });
    if (decision.kind === 'known') return { host: decision.host, bound: false };
    if (decision.kind === 'unknown') {
      recordUnknownMac(db, { mac: normal, ip: address, now });
      return null;
    }
    clients.saveClients([decision.record], now);
    db.prepare('DELETE FROM netboot_unknown WHERE mac = ?').run(normal);
    return { host: decision.host, bound: true };
  });
}

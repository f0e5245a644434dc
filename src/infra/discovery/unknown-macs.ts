import type { UnknownMac } from '../../core/discovery/unknown-mac.js';
import type { Db } from '../db/database.js';

/** Counts one more request of an unknown MAC (first and last seen, the address it last asked from). */
export function recordUnknownMac(db: Db, { mac, ip, now }: { mac: string; ip: string; now: string }): void {
  db.prepare(
    `INSERT INTO netboot_unknown (mac, ip, first_seen, last_seen, count) VALUES (?, ?, ?, ?, 1)
     ON CONFLICT(mac) DO UPDATE SET ip = excluded.ip, last_seen = excluded.last_seen, count = count + 1`,
  ).run(mac, ip, now, now);
}

/** The unknown MACs, last seen first; a MAC that a host has since been given is not unknown any more. */
export function listUnknownMacs(db: Db): UnknownMac[] {
  return db
    .prepare(
      `SELECT u.mac, u.ip, u.first_seen AS firstSeen, u.last_seen AS lastSeen, u.count FROM netboot_unknown u
       WHERE NOT EXISTS (SELECT 1 FROM client_macs m WHERE m.mac = u.mac) ORDER BY u.last_seen DESC, u.mac`,
    )
    .all() as UnknownMac[];
}

/** Forgets one unknown MAC, or all of them; returns how many were forgotten. */
export function clearUnknownMacs(db: Db, mac?: string): number {
  const result = mac === undefined ? db.prepare('DELETE FROM netboot_unknown').run() : db.prepare('DELETE FROM netboot_unknown WHERE mac = ?').run(mac);
  return result.changes;
}

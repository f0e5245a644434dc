import type { Db } from '../db/database.js';
import type { HostOutcome } from './outcome.js';

export interface LastUpdate {
  result: string;
  image: string | null;
  version: string | null;
  files: number | null;
  bytesReceived: number | null;
  reason: string;
  at: string;
}

/** The per-host results of pushupdate runs in the registry (migration 6), in one transaction. */
export function recordUpdates(db: Db, outcomes: readonly HostOutcome[], at: string): void {
  const insert = db.prepare(
    'INSERT INTO client_updates (host, result, image, version, files, bytes_received, reason, seconds, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  // A host removed from the registry meanwhile has nowhere to keep its row: left out, not an error.
  const exists = db.prepare('SELECT 1 FROM clients WHERE hostname = ?');
  db.transaction(() => {
    for (const o of outcomes) {
      if (o.result === 'skipped' || !exists.get(o.host)) continue;
      insert.run(o.host, o.result, o.image, o.version, o.files, o.bytesReceived, o.reason, o.seconds, at);
    }
  })();
}

/** The newest update of a host, and the newest that succeeded (what the host carries). */
export function lastUpdates(db: Db, host: string): { last: LastUpdate | null; lastOk: LastUpdate | null } {
  const select = (where: string) =>
    (db
      .prepare(`SELECT result, image, version, files, bytes_received AS bytesReceived, reason, at FROM client_updates WHERE host = ? ${where} ORDER BY at DESC, id DESC LIMIT 1`)
      .get(host) as LastUpdate | undefined) ?? null;
  return { last: select(''), lastOk: select("AND result = 'ok'") };
}

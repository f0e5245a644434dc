import type { ClientRecord } from '../../core/clients/client-record.js';
import { buildMonitorRows, isMonitored, lastRun, type InstallRun, type MonitorRow } from '../../core/monitor/index.js';
import type { Db } from '../db/database.js';
import { InstallEvents } from '../reports/index.js';

/** Events read per host to find its last run: an install is about 16 phases, one row each. */
const RUN_EVENTS = 64;

/**
 * The monitor's rows from the registry: every armed client and every client with an event in the last
 * `hours`, each with its last install run. One indexed query per listed client that has events.
 */
export function readMonitorRows({ db, clients, hours, now }: { db: Db; clients: readonly ClientRecord[]; hours: number; now: Date }): MonitorRow[] {
  const since = new Date(now.getTime() - hours * 3_600_000).toISOString();
  const recentRows = db.prepare('SELECT DISTINCT host FROM install_events WHERE updated_at >= ?').all(since) as { host: string }[];
  const recent = new Set(recentRows.map((r) => r.host));
  // Most armed hosts of a large cluster have never reported: they need no query of their own.
  const reported = new Set((db.prepare('SELECT DISTINCT host FROM install_events').all() as { host: string }[]).map((r) => r.host));
  const events = new InstallEvents(db);
  const runs = new Map<string, InstallRun | null>();
  for (const client of clients) {
    if (reported.has(client.hostname) && isMonitored(client, recent)) runs.set(client.hostname, lastRun(events.recent(client.hostname, RUN_EVENTS)));
  }
  return buildMonitorRows(clients, runs, recent);
}

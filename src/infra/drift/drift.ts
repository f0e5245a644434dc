import type { ClientRecord } from '../../core/clients/client-record.js';
import type { HostDrift } from '../../core/drift/drift-report.js';
import type { HomePaths } from '../../core/home.js';
import { runPool } from '../pushupdate/pool.js';
import { requireServerKey } from '../pushupdate/push-update.js';
import { driftOfHost } from './drift-host.js';

/** si drift: every client compared with the image version it carries, at most `parallel` at once; read-only. */
export async function driftOf(
  paths: HomePaths,
  request: { clients: readonly ClientRecord[]; parallel: number; timeoutSeconds: number; onDone?: (drift: HostDrift) => void },
): Promise<HostDrift[]> {
  requireServerKey(paths);
  return runPool({
    items: request.clients,
    parallel: request.parallel,
    work: (client) => driftOfHost(paths, client, request.timeoutSeconds),
    failed: (drift) => drift.error !== '',
    skipped: (client) => ({ host: client.hostname, image: null, version: null, added: [], changed: [], removed: [], error: 'not started' }),
    onDone: (_client, drift) => request.onDone?.(drift),
  });
}

import fs from 'node:fs';
import type { ClientRecord } from '../../core/clients/client-record.js';
import { UserError } from '../../core/errors.js';
import type { HomePaths } from '../../core/home.js';
import type { Db } from '../db/database.js';
import type { HostOutcome } from './outcome.js';
import { runPool } from './pool.js';
import { pushHost, type PushOptions } from './push-host.js';
import { recordUpdates } from './update-results.js';

export interface PushUpdateRequest extends PushOptions {
  clients: readonly ClientRecord[];
  parallel: number;
  maxFailures?: number;
  onStart?: (client: ClientRecord) => void;
  onDone?: (outcome: HostOutcome) => void;
}

/** The key sisuite logs in with must exist before any host is tried: one line instead of N refusals. */
export function requireServerKey(paths: HomePaths): void {
  if (fs.existsSync(paths.sshKey)) return;
  throw new UserError(
    `no ssh key at ${paths.sshKey}: run si key show, and put the line it prints in /root/.ssh/authorized_keys of the clients (or of the golden client before capture, so that every image carries it)`,
  );
}

/**
 * si pushupdate: si-updateclient on every client, at most `parallel` at once, each host on its own (one failure
 * never stops the others; --max-failures stops starting new ones). The outcomes of a real run go to the
 * registry, a dry run's nowhere.
 */
export async function pushUpdate(paths: HomePaths, db: Db, request: PushUpdateRequest): Promise<HostOutcome[]> {
  requireServerKey(paths);
  const outcomes = await runPool({
    items: request.clients,
    parallel: request.parallel,
    maxFailures: request.maxFailures,
    work: (client) => pushHost(paths, client, request),
    failed: (outcome) => outcome.result === 'failed',
    skipped: (client): HostOutcome => ({
      host: client.hostname,
      result: 'skipped',
      image: null,
      version: null,
      files: null,
      bytesReceived: null,
      reason: `not started: ${request.maxFailures} hosts failed (--max-failures ${request.maxFailures})`,
      seconds: 0,
      stages: null,
    }),
    onStart: request.onStart,
    onDone: (_client, outcome) => request.onDone?.(outcome),
  });
  if (!request.dryRun) recordUpdates(db, outcomes, new Date().toISOString());
  return outcomes;
}

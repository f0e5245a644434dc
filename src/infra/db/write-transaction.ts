import { UserError } from '../../core/errors.js';
import type { Db } from './database.js';
import { registryFault } from './registry-errors.js';

/**
 * Runs `work` in one BEGIN IMMEDIATE transaction (the transaction rule, docs/decisions.md): the write lock is
 * taken before the first read, so no other writer slips between check and write. A lock held past the busy
 * timeout, or a constraint another writer tripped, is one line, never a stack trace.
 */
export function immediate<T>(db: Db, work: () => T): T {
  try {
    return db.transaction(work).immediate();
  } catch (error) {
    throw explainWriteFailure(error, db);
  }
}

function explainWriteFailure(error: unknown, db: Db): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return registryFault(error, db.name, { busyTimeoutMs: Number(db.pragma('busy_timeout', { simple: true })) });
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new UserError(`another si changed the registry meanwhile (${(error as Error).message}); nothing was changed: run the command again`);
  }
  return error;
}

import fs from 'node:fs';
import { UserError } from '../../core/errors.js';

/**
 * Whether a failure was the disk filling up: a program (rsync, debootstrap) that said so on stderr, a write
 * of our own (ENOSPC, EDQUOT) or SQLite's SQLITE_FULL. Callers branch on this, not on the message they print.
 */
export function isNoSpace(error: unknown, output = ''): boolean {
  const e = error as { code?: string; stderrTail?: string; message?: string } | null;
  if (!e) return false;
  if (e.code === 'ENOSPC' || e.code === 'EDQUOT' || e.code === 'SQLITE_FULL') return true;
  const text = `${e.stderrTail ?? ''}\n${output}`;
  return /No space left on device|Disk quota exceeded|\(28\)$/m.test(text);
}

/** Free space on the filesystem holding `dir`, in whole MB (what an unprivileged writer may use). */
export function freeMegabytes(dir: string): number {
  const stats = fs.statfsSync(dir);
  return Math.floor((Number(stats.bavail) * Number(stats.bsize)) / 1e6);
}

/** The one line for a full SI_HOME, measured after the partial work was removed. */
export function noSpaceError(home: string, what: string): UserError {
  return new UserError(
    `no space left on SI_HOME ${home} (${freeMegabytes(home)} MB free after removing the partial ${what}): ` +
      'free space there or use a larger filesystem (--home or SI_HOME)',
    1,
  );
}

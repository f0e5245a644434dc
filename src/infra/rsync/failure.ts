import { UserError } from '../../core/errors.js';

/**
 * rsync's cause of a failure: its last stderr line is usually only the summary ("rsync error: ... (code 23)");
 * the line that explains (a file it could not read or write, a connection that closed) comes before it.
 */
export function rsyncCause(stderrTail: string): string | null {
  const lines = stderrTail.split('\n').map((l) => l.trim()).filter(Boolean);
  const explaining = lines.filter((l) => !/^rsync error:/.test(l) && !/^rsync warning:/.test(l));
  return explaining.at(-1) ?? lines.at(-1) ?? null;
}

/** A failed rsync as one line with its cause and what became of the partial copy; anything else unchanged. */
export function explainRsyncFailure(error: unknown, partial: string): unknown {
  const e = error as { name?: string; argv?: readonly string[]; exitCode?: number; signal?: string; stderrTail?: string; message?: string };
  if (e?.name !== 'CommandError' || e.argv?.[0] !== 'rsync') return error;
  const cause = e.signal ? null : rsyncCause(e.stderrTail ?? '');
  const what = cause && e.exitCode !== undefined ? `rsync exited with ${e.exitCode}: ${cause}` : (e.message ?? 'rsync failed');
  return new UserError(`${what}; ${partial}`, 1);
}

import type { HomePaths } from '../../core/home.js';
import type { Db } from '../db/database.js';
import { ingestReports } from './ingest-reports.js';

/**
 * ingestReports for a command that has other work to do (the daemon's watch loop, `si client list/show`):
 * it never throws, and returns the lines to show. `all` adds one line per recorded report (the daemon);
 * without it only set-aside files and failures are said. A user who may not read reports/ (they are
 * private to the user si runs as) gets nothing: the daemon records them.
 */
export function ingestPendingReports({ paths, db, all = false }: { paths: HomePaths; db: Db; all?: boolean }): string[] {
  try {
    const { recorded, setAside } = ingestReports({ paths, db });
    return [
      ...(all ? recorded.map((r) => `install report: ${r.host} ${r.state} (phase ${r.phase})`) : []),
      ...setAside.map((s) => `warning: install report ${JSON.stringify(s.file)} set aside in reports/rejected: ${s.reason}`),
    ];
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return [];
    return [`warning: install reports not read: ${(error as Error).message}`];
  }
}

import type { InstallEvent, InstallEventStore, InstallReport, RecordOutcome, ReportedState } from '../../core/reports/index.js';
import type { Db } from '../db/database.js';

interface RawEvent {
  host: string;
  event_id: string | null;
  mac: string | null;
  state: string;
  phase: string;
  message: string;
  at: string;
}

const toEvent = (r: RawEvent): InstallEvent => ({
  host: r.host,
  event: r.event_id,
  mac: r.mac,
  state: r.state as ReportedState,
  phase: r.phase,
  message: r.message,
  at: r.at,
});

const LATEST = 'ORDER BY at DESC, id DESC';

/** The install_events table, and the install_state it keeps on each client. */
export class InstallEvents implements InstallEventStore {
  constructor(readonly db: Db) {}

  /**
   * Records a report received at `at` and sets the client's install_state to its newest event's state (an
   * installed one also sets boot_mode to local), in one immediate transaction: the foreground daemon and a `si client show` may ingest at the same time.
   */
  record(report: InstallReport, at: string): RecordOutcome {
    return this.db
      .transaction((): RecordOutcome => {
        if (!this.db.prepare('SELECT 1 FROM clients WHERE hostname = ?').get(report.host)) return 'unknown-host';
        const inserted = this.db
          .prepare('INSERT OR IGNORE INTO install_events (host, event_id, mac, state, phase, message, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(report.host, report.event, report.mac, report.state, report.phase, report.message, at);
        if (inserted.changes === 0) return 'duplicate';
        this.db
          .prepare(`UPDATE clients SET install_state = (SELECT state FROM install_events WHERE host = @host ${LATEST} LIMIT 1), updated_at = @at WHERE hostname = @host`)
          .run({ host: report.host, at });
        // A reported success disarms the host: its netboot entry boots the local disk until
        // `si client set HOST --boot install` arms it again (no install loops).
        if (report.state === 'installed') {
          this.db.prepare("UPDATE clients SET boot_mode = 'local' WHERE hostname = ? AND install_state = 'installed'").run(report.host);
        }
        return 'recorded';
      })
      .immediate();
  }

  last(host: string): InstallEvent | null {
    const row = this.db.prepare(`SELECT * FROM install_events WHERE host = ? ${LATEST} LIMIT 1`).get(host) as RawEvent | undefined;
    return row ? toEvent(row) : null;
  }

  list(host: string): InstallEvent[] {
    return (this.db.prepare('SELECT * FROM install_events WHERE host = ? ORDER BY at, id').all(host) as RawEvent[]).map(toEvent);
  }
}

/** The store of install events on the registry `db` (commands ask the interface, not the class). */
export function installEventStore(db: Db): InstallEventStore {
  return new InstallEvents(db);
}

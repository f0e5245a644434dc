import type { InstallEvent, InstallEventStore, InstallReport, RecordOutcome, ReportedState } from '../../core/reports/index.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database.js';

interface RawEvent {
  id: number;
  host: string;
  event_id: string | null;
  mac: string | null;
  state: string;
  phase: string;
  message: string;
  at: string;
  updated_at: string | null;
  percent: number | null;
  bytes: number | null;
  rate: number | null;
}

const toEvent = (r: RawEvent): InstallEvent => ({
  host: r.host,
  event: r.event_id,
  mac: r.mac,
  state: r.state as ReportedState,
  phase: r.phase,
  message: r.message,
  at: r.at,
  updatedAt: r.updated_at ?? r.at,
  percent: r.percent,
  bytes: r.bytes,
  rate: r.rate,
});

const LATEST = 'ORDER BY at DESC, id DESC';

/** The install_events table, and the install_state it keeps on each client. */
export class InstallEvents implements InstallEventStore {
  private recentQuery: Statement | undefined;

  constructor(readonly db: Db) {}

  /**
   * Records a report received at `at` and sets the client's install_state to its newest event's state (an
   * installed one also sets boot_mode to local), in one immediate transaction: the foreground daemon, the
   * boot server and a `si client show` may record at the same time. An `installing` event of the phase the
   * host's newest event already is folds into that row (progress, message, updated_at): the copy reports
   * every few seconds, and the history stays one row per phase (docs/monitor.md).
   */
  record(report: InstallReport, at: string): RecordOutcome {
    return this.db
      .transaction((): RecordOutcome => {
        if (!this.db.prepare('SELECT 1 FROM clients WHERE hostname = ?').get(report.host)) return 'unknown-host';
        if (report.event !== null && this.db.prepare('SELECT 1 FROM install_events WHERE host = ? AND event_id = ?').get(report.host, report.event)) {
          return 'duplicate';
        }
        const progress = { percent: report.percent ?? null, bytes: report.bytes ?? null, rate: report.rate ?? null };
        const newest = this.db.prepare(`SELECT * FROM install_events WHERE host = ? ${LATEST} LIMIT 1`).get(report.host) as RawEvent | undefined;
        if (report.state === 'installing' && newest?.state === 'installing' && newest.phase === report.phase) {
          // An older copy of what the row already holds (a report uploaded, ingested late) changes nothing.
          if (at < (newest.updated_at ?? newest.at)) return 'duplicate';
          this.db
            .prepare(
              `UPDATE install_events SET percent = coalesce(@percent, percent), bytes = coalesce(@bytes, bytes), rate = coalesce(@rate, rate),
                 message = CASE WHEN @message = '' THEN message ELSE @message END, mac = coalesce(@mac, mac), updated_at = @at WHERE id = @id`,
            )
            .run({ ...progress, message: report.message, mac: report.mac, at, id: newest.id });
          return 'updated';
        }
        this.db
          .prepare(
            `INSERT INTO install_events (host, event_id, mac, state, phase, message, at, updated_at, percent, bytes, rate)
             VALUES (@host, @event, @mac, @state, @phase, @message, @at, @at, @percent, @bytes, @rate)`,
          )
          .run({ host: report.host, event: report.event, mac: report.mac, state: report.state, phase: report.phase, message: report.message, at, ...progress });
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

  recent(host: string, limit: number): InstallEvent[] {
    // Prepared once: the monitor asks this for every listed host on every reading.
    this.recentQuery ??= this.db.prepare(`SELECT * FROM install_events WHERE host = ? ${LATEST} LIMIT ?`);
    const rows = this.recentQuery.all(host, limit) as RawEvent[];
    return rows.reverse().map(toEvent);
  }
}

/** The store of install events on the registry `db` (commands ask the interface, not the class). */
export function installEventStore(db: Db): InstallEventStore {
  return new InstallEvents(db);
}

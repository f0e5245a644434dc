import type { InstallReport, ReportedState } from './parse-report.js';

/** One recorded install event, as `si client show --json` prints the last one. */
export interface InstallEvent {
  host: string;
  event: string | null;
  mac: string | null;
  state: ReportedState;
  phase: string;
  message: string;
  /** When the server received it (ISO 8601): installers often run with a wrong clock. */
  at: string;
  /** When the last event folded into this one arrived (progress of the same phase); `at` when none was. */
  updatedAt: string;
  percent: number | null;
  bytes: number | null;
  /** Bytes per second. */
  rate: number | null;
}

/** `updated`: a progress event of the phase the host was already in, folded into that phase's event. */
export type RecordOutcome = 'recorded' | 'updated' | 'duplicate' | 'unknown-host';

/**
 * The install events as commands, the report ingestion and the boot server's event endpoint see them:
 * recording one also sets the client's install state to its newest event's.
 */
export interface InstallEventStore {
  record(report: InstallReport, at: string): RecordOutcome;
  last(host: string): InstallEvent | null;
  /** A host's events, oldest first. */
  list(host: string): InstallEvent[];
  /** A host's newest `limit` events, oldest first. */
  recent(host: string, limit: number): InstallEvent[];
}

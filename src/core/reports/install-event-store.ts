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
}

export type RecordOutcome = 'recorded' | 'duplicate' | 'unknown-host';

/**
 * The install events as commands, the report ingestion and (next) the boot server's event endpoint see
 * them: recording one also sets the client's install state to its newest event's.
 */
export interface InstallEventStore {
  record(report: InstallReport, at: string): RecordOutcome;
  last(host: string): InstallEvent | null;
  /** A host's events, oldest first. */
  list(host: string): InstallEvent[];
}

export {
  EVENT_ID,
  MAX_MESSAGE_CHARS,
  MAX_REPORT_BYTES,
  REPORTED_STATES,
  parseReport,
  parseReportName,
  reportFields,
  reportPaths,
  type InstallReport,
  type ParsedReport,
  type ReportPaths,
  type ReportedState,
} from './parse-report.js';
export type { InstallEvent, InstallEventStore, RecordOutcome } from './install-event-store.js';

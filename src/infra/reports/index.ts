export { MAX_FILES_PER_CALL, STALE_UPLOAD_MS, ingestReports, type IngestResult } from './ingest-reports.js';
export { InstallEvents, installEventStore } from './install-events.js';
export { ingestPendingReports } from './ingest-pending.js';

export { parseEventBody, type ParsedEventBody } from './event-body.js';
export { lastRun, runSeconds, type InstallRun } from './install-runs.js';
export {
  DEFAULT_MONITOR_HOURS,
  MONITOR_STATES,
  buildMonitorRows,
  countStates,
  isMonitored,
  monitorRow,
  type MonitorClient,
  type MonitorRow,
  type MonitorState,
} from './monitor-rows.js';
export { lastInstall, type LastInstall } from './last-install.js';

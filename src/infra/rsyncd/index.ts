export { renderRsyncdConf, writeRsyncdConf, type WriteRsyncdConfOptions } from './write-rsyncd-conf.js';
export {
  POLL_MS,
  rsyncDaemonArgv,
  runRsyncDaemon,
  type RsyncdEvent,
  type RunRsyncDaemonOptions,
} from './run-rsync-daemon.js';
export { RsyncDaemonError, explainDaemonExit, logTail } from './daemon-exit.js';
export { renderRsyncdUnit } from './render-unit.js';

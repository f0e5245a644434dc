import { UserError } from '../../core/errors.js';

/** The rsync daemon stopped on its own. `logTail` holds its last log lines, without timestamps. */
export class RsyncDaemonError extends UserError {
  constructor(
    message: string,
    readonly logTail: readonly string[],
    readonly daemonExitCode: number | undefined = undefined,
  ) {
    super(message, 1);
  }
}

const TAIL_LINES = 20;
// "2026/01/02 03:04:05 [1234] message"
const LOG_PREFIX = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[\d+\] /;

/** Log lines without their timestamp and pid, the last TAIL_LINES of them. */
export function logTail(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(LOG_PREFIX, '').trim())
    .filter(Boolean)
    .slice(-TAIL_LINES);
}

/** Turns a daemon exit into one line naming the cause and the fix. */
export function explainDaemonExit({
  exitCode,
  stderr,
  log,
  logPath,
  address,
  port,
}: {
  exitCode: number | undefined;
  stderr: string;
  log: string;
  logPath: string;
  address?: string;
  port?: number;
}): RsyncDaemonError {
  const tail = [...logTail(log), ...logTail(stderr)];
  const where = `port ${port ?? 873}${address ? ` on ${address}` : ''}`;
  const has = (text: string) => tail.some((line) => line.includes(text));
  let message: string;
  if (has('Address already in use')) {
    message = `${where} is already in use (another rsync daemon?): stop that program or give si rsyncd another --port`;
  } else if (has('Cannot assign requested address')) {
    message = `${address ?? 'the --address'} is not an address of this server: give one of its own addresses with --address`;
  } else if (has('Permission denied') && (port ?? 873) < 1024) {
    message = `${where} needs root: run si rsyncd as root (the daemon reads images as root)`;
  } else {
    const how = exitCode === undefined ? 'was killed' : `exited with code ${exitCode}`;
    const last = [...tail].reverse().find((line) => !line.startsWith('rsync error:')) ?? tail.at(-1) ?? 'no log output';
    message = `the rsync daemon ${how}: ${last} (log: ${logPath})`;
  }
  return new RsyncDaemonError(message, tail, exitCode);
}

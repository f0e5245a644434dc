import { capture } from '../run.js';

export interface DaemonExit {
  exitCode: number | undefined;
  stderr: string;
}

const KILL_AFTER_MS = 5000;
const STDERR_TAIL = 4000;

/**
 * Runs a long-lived daemon until it exits or `signal` aborts it (SIGTERM, then SIGKILL after 5 s).
 * stdin is /dev/null: `rsync --daemon` takes a socket on stdin for an inetd connection (it then serves
 * that one "connection" and never listens).
 */
export async function runDaemonProcess(argv: readonly string[], signal: AbortSignal): Promise<DaemonExit> {
  const result = await capture(argv, { signal, stdin: 'ignore', forceKillAfterMs: KILL_AFTER_MS });
  return { exitCode: result.exitCode ?? undefined, stderr: result.stderr.slice(-STDERR_TAIL) };
}

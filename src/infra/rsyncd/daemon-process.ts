import { execa } from 'execa';

export interface DaemonExit {
  exitCode: number | undefined;
  stderr: string;
}

const KILL_AFTER_MS = 5000;
const STDERR_TAIL = 4000;

/**
 * Runs a long-lived daemon (argv array, no shell) until it exits or `signal` aborts it (SIGTERM, then
 * SIGKILL after 5 s). This is the one place that does not go through run(): run() gives the child a
 * socket pair as stdin, and `rsync --daemon` takes a socket on stdin for an inetd connection (it then
 * serves that one "connection" and never listens). Here stdin is /dev/null.
 */
export async function runDaemonProcess(argv: readonly string[], signal: AbortSignal): Promise<DaemonExit> {
  const [file, ...args] = argv;
  if (!file) throw new Error('runDaemonProcess: empty argv');
  const result = await execa(file, args, {
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
    cancelSignal: signal,
    forceKillAfterDelay: KILL_AFTER_MS,
    reject: false,
    encoding: 'utf8',
  });
  return { exitCode: result.exitCode ?? undefined, stderr: String(result.stderr ?? '').slice(-STDERR_TAIL) };
}

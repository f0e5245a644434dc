import { listensOn, startProcess, type ProcessHandle } from '../run.js';

export interface DaemonExit {
  exitCode: number | undefined;
  stderr: string;
}

const KILL_AFTER_MS = 5000;
const STDERR_TAIL_BYTES = 4000;
/** Binding a port takes milliseconds; this bound is for a machine under heavy load. */
const LISTEN_TIMEOUT_MS = 30_000;

/** A daemon that is up: listening, or not (it exited, the caller aborted, or it never listened). */
export type DaemonStart = { state: 'listening'; daemon: RunningDaemon } | { state: 'exited'; exit: DaemonExit } | { state: 'aborted' } | { state: 'not-listening'; exit: DaemonExit };

export interface RunningDaemon {
  /** Resolves when the daemon has exited. */
  exited: Promise<DaemonExit>;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/**
 * Starts a long-lived daemon in the foreground and resolves once it really listens on `port` (its own
 * socket, read from /proc: a port held by another program does not count). stdin is /dev/null:
 * `rsync --daemon` takes a socket on stdin for an inetd connection (it then serves that one "connection"
 * and never listens). A wrapper in argv must exec the daemon (same pid), as `ip netns exec` and `nice` do.
 */
export async function startDaemonProcess(argv: readonly string[], port: number, signal: AbortSignal): Promise<DaemonStart> {
  const handle = startProcess(argv, { stderrTailBytes: STDERR_TAIL_BYTES });
  const readiness = await handle.waitReady(() => listensOn(handle.pid, port), { timeoutMs: LISTEN_TIMEOUT_MS, signal });
  if (readiness === 'ready') return { state: 'listening', daemon: running(handle) };
  if (readiness === 'exited') return { state: 'exited', exit: toExit(await handle.exited) };
  const exit = toExit(await handle.stop({ graceMs: KILL_AFTER_MS }));
  return readiness === 'aborted' ? { state: 'aborted' } : { state: 'not-listening', exit };
}

function running(handle: ProcessHandle): RunningDaemon {
  return {
    exited: handle.exited.then(toExit),
    stop: async () => {
      await handle.stop({ graceMs: KILL_AFTER_MS });
    },
  };
}

function toExit(exit: { exitCode: number | null; stderrTail: string }): DaemonExit {
  return { exitCode: exit.exitCode ?? undefined, stderr: exit.stderrTail };
}

// Long-running processes for test worlds: the runner's process handle, in a process group of its own
// (stop() reaches whatever the process forked), output kept for diagnostics.
import { startProcess } from '../../src/infra/run.js';

export interface Daemon {
  readonly pid: number;
  readonly argv: readonly string[];
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running(): boolean;
  /** The last few KiB of stdout and stderr together, for error messages. */
  output(): string;
  /** SIGTERM to the whole process group, SIGKILL after a grace period; bounded in time. */
  stop(): Promise<void>;
}

const OUTPUT_TAIL = 8192;
const TERM_GRACE_MS = 5000;

/** Starts argv in a process group of its own, so that stop() can signal the whole group. */
export function spawnDaemon(argv: readonly string[]): Daemon {
  let tail = '';
  const keep = (chunk: string): void => {
    tail = (tail + chunk).slice(-OUTPUT_TAIL);
  };
  const handle = startProcess(argv, { group: true, onStdout: keep, onStderr: keep, stderrTailBytes: OUTPUT_TAIL });
  const exited = handle.exited.then((exit) => {
    if (!exit.started) keep(`spawn failed: ${exit.stderrTail}`);
    return { code: exit.exitCode, signal: exit.signal };
  });
  return {
    pid: handle.pid ?? -1,
    argv,
    exited,
    running: () => handle.running(),
    output: () => tail,
    stop: async () => {
      await handle.stop({ graceMs: TERM_GRACE_MS });
    },
  };
}

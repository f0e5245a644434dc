import { startChild, type ChildOptions } from './start-child.js';

export interface StartProcessOptions extends Pick<ChildOptions, 'cwd' | 'env' | 'onStdout' | 'onStderr' | 'stderrTailBytes' | 'group'> {
  /** stdout's target; dropped when absent (after onStdout). */
  stdoutFile?: string;
  /** stderr is written to this file as it comes (may be stdoutFile); the tail stays in memory. */
  stderrFile?: string;
  appendOutput?: boolean;
}

export interface ProcessExit {
  /** False when the program is not installed. */
  started: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
}

/** How waitReady ended. */
export type Readiness = 'ready' | 'exited' | 'timed-out' | 'aborted';

/** A long-running process (a daemon run in the foreground): started, waited for, signalled, stopped. */
export interface ProcessHandle {
  readonly argv: readonly string[];
  readonly pid: number | undefined;
  /** Resolves once it has exited (never rejects). */
  readonly exited: Promise<ProcessExit>;
  running(): boolean;
  stderrTail(): string;
  /**
   * Polls `ready` every intervalMs (default 50) until it says true, the process exits, timeoutMs pass, or
   * `signal` aborts. Never throws for the process: the caller turns the outcome into its own message.
   */
  waitReady(ready: () => boolean | Promise<boolean>, options: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal }): Promise<Readiness>;
  /** Sends a signal (e.g. SIGHUP to reload); false when the process is gone. */
  signal(name: NodeJS.Signals): boolean;
  /**
   * SIGTERM, then SIGKILL after graceMs (default 5 s); resolves with how it exited. Safe to call twice. With
   * `group`, the signals go to the whole process group, and what is left of it gets SIGKILL at the end.
   */
  stop(options?: { graceMs?: number }): Promise<ProcessExit>;
}

const GRACE_MS = 5000;
// A daemon's exit counts at once, even if something it forked still holds its stderr.
const CLOSE_WAIT_MS = 200;
const AFTER_KILL_MS = 5000;

/** Starts argv, stdin on /dev/null (an `rsync --daemon` given a socket on stdin would serve it, not listen). */
export function startProcess(argv: readonly string[], options: StartProcessOptions = {}): ProcessHandle {
  const { stdoutFile, stderrFile, appendOutput, ...rest } = options;
  const child = startChild(argv, {
    ...rest,
    closeWaitMs: CLOSE_WAIT_MS,
    stdout: stdoutFile ? { file: stdoutFile, append: appendOutput } : 'discard',
    stderrFile: stderrFile ? { file: stderrFile, append: appendOutput } : undefined,
  });
  const exited: Promise<ProcessExit> = child.exited.then(({ started, exitCode, signal, stderrTail }) => ({ started, exitCode, signal, stderrTail }));
  let stopping: Promise<ProcessExit> | undefined;

  const stop = async (graceMs: number): Promise<ProcessExit> => {
    if (!child.running()) {
      if (options.group) child.kill('SIGKILL'); // what is left of the group
      return exited;
    }
    child.kill('SIGTERM');
    if (await settlesWithin(exited, graceMs)) {
      if (options.group) child.kill('SIGKILL'); // what is left of the group
      return exited;
    }
    child.kill('SIGKILL');
    if (await settlesWithin(exited, AFTER_KILL_MS)) return exited;
    throw new Error(`${argv[0]} (pid ${child.process?.pid}) did not exit after SIGKILL`);
  };

  const waitReady: ProcessHandle['waitReady'] = async (ready, { timeoutMs, intervalMs = 50, signal }) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (signal?.aborted) return 'aborted';
      if (!child.running()) return 'exited';
      if (await ready()) return child.running() ? 'ready' : 'exited';
      const left = deadline - Date.now();
      if (left <= 0) return 'timed-out';
      await Promise.race([exited, pause(Math.min(intervalMs, left), signal)]);
    }
  };

  return {
    argv,
    pid: child.process?.pid,
    exited,
    running: () => child.running(),
    stderrTail: () => child.stderrTail(),
    waitReady,
    signal: (name) => child.kill(name),
    stop: (stopOptions = {}) => (stopping ??= stop(stopOptions.graceMs ?? GRACE_MS)),
  };
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

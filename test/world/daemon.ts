// Long-running processes for test worlds: own process group, bounded stop, output kept for diagnostics.
import { spawn as spawnChild } from 'node:child_process';

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
const KILL_GRACE_MS = 3000;

/**
 * Starts argv in a new session (detached) so that stop() can signal the whole process group.
 * run() from src/infra/run.ts waits for completion, so daemons are the one place that spawns directly.
 */
export function spawnDaemon(argv: readonly string[]): Daemon {
  const [file, ...args] = argv;
  if (!file) throw new Error('spawnDaemon: empty argv');
  const child = spawnChild(file, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let alive = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (error) => {
      keep(Buffer.from(`spawn failed: ${error.message}\n`));
      alive = false;
      resolve({ code: null, signal: null });
    });
    child.on('exit', (code, signal) => {
      alive = false;
      resolve({ code, signal });
    });
  });
  const pid = child.pid ?? -1;
  let stopping: Promise<void> | undefined;

  const signalGroup = (signal: NodeJS.Signals): void => {
    if (pid <= 0) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  };

  const stop = async (): Promise<void> => {
    if (!alive) return;
    signalGroup('SIGTERM');
    if (await settlesWithin(exited, TERM_GRACE_MS)) return signalGroup('SIGKILL');
    signalGroup('SIGKILL');
    if (!(await settlesWithin(exited, KILL_GRACE_MS))) {
      throw new Error(`daemon ${pid} (${argv.join(' ')}) did not exit after SIGKILL`);
    }
  };

  return {
    pid,
    argv,
    exited,
    running: () => alive,
    output: () => tail,
    stop: () => (stopping ??= stop()),
  };
}

/** Whether promise settles within ms. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

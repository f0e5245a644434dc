import { spawn } from 'node:child_process';
import type { ResultPromise } from 'execa';

/**
 * The one runner for every external program: an argv array, never a shell string.
 * Errors keep the command, the exit code and the tail of stderr.
 */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | undefined,
    readonly signal: string | undefined,
    readonly stderrTail: string,
    readonly timedOut: boolean,
  ) {
    const how = timedOut ? 'timed out' : signal ? `was killed by ${signal}` : `exited with ${exitCode}`;
    const tail = stderrTail ? `: ${stderrTail.split('\n').filter(Boolean).slice(-1)[0] ?? ''}` : '';
    super(`${argv[0]} ${how}${tail}`);
  }
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  /** Milliseconds; no limit when absent. */
  timeout?: number;
  /** Accept these exit codes as success (rsync 24: files vanished during transfer). */
  okExitCodes?: readonly number[];
  /** Called with each chunk of stdout as it arrives (progress parsing). */
  onStdout?: (chunk: string) => void;
  /** Abort the command (it is killed with SIGTERM). */
  signal?: AbortSignal;
  /** SIGKILL this long after an abort's SIGTERM. */
  forceKillAfterMs?: number;
  /**
   * 'ignore' gives the child /dev/null as stdin. Daemons need it: `rsync --daemon` takes a socket on
   * stdin for an inetd connection and then never listens.
   */
  stdin?: 'ignore';
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const STDERR_TAIL = 2000;

// execa takes ~80 ms to load: a command that never runs a program does not pay for it, and one that is
// about to (si getimage, while ssh logs in) loads it ahead with preloadRunner().
let execaModule: Promise<typeof import('execa')> | undefined;
const loadExeca = () => (execaModule ??= import('execa'));

/** Starts loading what run() needs, so that its first command starts at once. */
export function preloadRunner(): void {
  loadExeca().catch(() => undefined);
}

export async function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { result, stdout, stderr } = await start(argv, options);
  const exitCode = result.exitCode ?? -1;
  const ok = !result.failed || (result.exitCode !== undefined && (options.okExitCodes ?? []).includes(result.exitCode));
  if (!ok || result.isCanceled) {
    throw new CommandError(argv, result.exitCode, result.signal ?? undefined, stderr.slice(-STDERR_TAIL), Boolean(result.timedOut));
  }
  return { stdout, stderr, exitCode };
}

/** Runs a command whatever its exit: exitCode is null when it could not start (not installed). */
export async function capture(argv: readonly string[], options: RunOptions = {}): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
  const { result, stdout, stderr } = await start(argv, options);
  return { stdout, stderr, exitCode: result.exitCode ?? null };
}

async function start(argv: readonly string[], options: RunOptions) {
  const [file, ...args] = argv;
  if (!file) throw new Error('run: empty argv');
  const { execa } = await loadExeca();
  const child: ResultPromise = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
    input: options.input,
    timeout: options.timeout,
    cancelSignal: options.signal,
    ...(options.forceKillAfterMs !== undefined && { forceKillAfterDelay: options.forceKillAfterMs }),
    ...(options.stdin && { stdin: options.stdin }),
    reject: false,
    stripFinalNewline: false,
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (options.onStdout) {
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => options.onStdout?.(chunk));
  }
  const result = await child;
  return { result, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}

/**
 * capture() on node:child_process alone, for a command at the very start of si getimage: its first ssh
 * connection cannot wait the ~80 ms execa takes to load. No shell, stdin is /dev/null; `timeoutMs` kills
 * the command with SIGTERM. exitCode is null when the command could not start (not installed) or was killed
 * (then `signal` names the signal).
 */
export function captureEarly(
  argv: readonly string[],
  options: { timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string; exitCode: number | null; signal: string | null }> {
  const [file, ...args] = argv;
  if (!file) throw new Error('run: empty argv');
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8');
    // 'error' is a program that could not start (not installed); 'close' follows it or a normal exit.
    let started = true;
    child.once('error', () => (started = false));
    child.once('close', (code, signal) => resolve({ stdout: text(out), stderr: text(err), exitCode: started ? code : null, signal }));
  });
}

/** Runs a command and returns whether it exited 0 (for probes such as `mountpoint -q`). */
export async function succeeds(argv: readonly string[], options: RunOptions = {}): Promise<boolean> {
  try {
    await run(argv, options);
    return true;
  } catch (error) {
    if (error instanceof CommandError) return false;
    throw error;
  }
}

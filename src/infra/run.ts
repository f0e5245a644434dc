import { execa, type ResultPromise } from 'execa';

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

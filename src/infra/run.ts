import { CommandError } from './process/command-error.js';
import { startChild, type ChildOptions } from './process/start-child.js';
import { supervise, type Limits } from './process/supervise.js';

/**
 * The one runner for every external program: an argv array, never a shell string. Every child dies with si,
 * even when si is killed with SIGKILL (find-program.ts). Errors keep the command, the exit code and the tail
 * of stderr; stderr is never kept whole in memory. Built on node:child_process alone: it loads in no time,
 * so even si getimage's first ssh starts through it.
 *   run / capture / succeeds   one command, waited for; output collected, streamed, or written to files
 *   runPipeline                argv | argv | ... with no shell, failing like `set -o pipefail`
 *   startProcess               a long-running process: ready, signal, stop, how it exited
 */
export { CommandError } from './process/command-error.js';
export { runPipeline, type PipelineOptions } from './process/pipeline.js';
export { startProcess, type ProcessHandle, type ProcessExit, type StartProcessOptions, type Readiness } from './process/process-handle.js';
export { listensOn } from './process/listens-on.js';

export interface RunOptions extends Limits {
  cwd?: string;
  /** Added to si's environment; a key set to undefined is removed from it. */
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  /** Accept these exit codes as success (rsync 24: files vanished during transfer). */
  okExitCodes?: readonly number[];
  /** Called with each chunk of stdout as it arrives (progress parsing). */
  onStdout?: (chunk: string) => void;
  /** Called with each chunk of stderr as it arrives (a log shown live). */
  onStderr?: (chunk: string) => void;
  /** stdout goes straight to this file (created, or truncated unless appendOutput); RunResult.stdout is ''. */
  stdoutFile?: string;
  /** stderr is written to this file as it comes (may be stdoutFile: one log); its tail is kept too. */
  stderrFile?: string;
  appendOutput?: boolean;
  /** How much of stderr's end is kept in memory (RunResult.stderr, CommandError.stderrTail); 64 KiB. */
  stderrTailBytes?: number;
  /**
   * A process group of its own: a timeout or an abort then reaches whatever the program forked too (debootstrap's
   * wget, which would otherwise keep stdout open and the command waiting).
   */
  group?: boolean;
  /** stdin, stdout and stderr are si's own: an interactive program on the console. */
  console?: boolean;
  /** Kept for callers: stdin is /dev/null whenever there is no input. */
  stdin?: 'ignore';
}

export interface RunResult {
  stdout: string;
  /** The last stderrTailBytes of stderr. */
  stderr: string;
  exitCode: number;
}

const ERROR_TAIL = 2000;

/** Runs a command to its end; throws CommandError unless it exits 0 (or with one of okExitCodes). */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await execute(argv, options);
  const ok = result.started && !result.canceled && !result.timedOut && result.exitCode !== null && (result.exitCode === 0 || (options.okExitCodes ?? []).includes(result.exitCode));
  if (!ok) {
    throw new CommandError(argv, result.exitCode ?? undefined, result.signal ?? undefined, result.stderrTail.slice(-ERROR_TAIL), result.timedOut);
  }
  return { stdout: result.stdout, stderr: result.stderrTail, exitCode: result.exitCode ?? 0 };
}

/** Runs a command whatever its exit: exitCode is null when it could not start (not installed) or was killed. */
export async function capture(argv: readonly string[], options: RunOptions = {}): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
  const result = await execute(argv, options);
  return { stdout: result.stdout, stderr: result.stderrTail, exitCode: result.exitCode };
}

/**
 * capture() for the very start of si getimage, with the killing signal's name. (Its own entry point since
 * the runner used to take ~80 ms to load; now the two are one.) `timeoutMs` sends SIGTERM.
 */
export async function captureEarly(
  argv: readonly string[],
  options: { timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string; exitCode: number | null; signal: string | null }> {
  const result = await execute(argv, { timeout: options.timeoutMs });
  return { stdout: result.stdout, stderr: result.stderrTail, exitCode: result.exitCode, signal: result.signal };
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

async function execute(argv: readonly string[], options: RunOptions) {
  const child = startChild(argv, childOptions(options));
  const [result] = await supervise([child], options);
  if (!result) throw new Error('run: no result');
  return result;
}

function childOptions(options: RunOptions): ChildOptions {
  return {
    cwd: options.cwd,
    env: options.env,
    stdin: options.input,
    stdout: options.stdoutFile ? { file: options.stdoutFile, append: options.appendOutput } : 'collect',
    onStdout: options.onStdout,
    onStderr: options.onStderr,
    stderrFile: options.stderrFile ? { file: options.stderrFile, append: options.appendOutput } : undefined,
    stderrTailBytes: options.stderrTailBytes,
    group: options.group,
    console: options.console,
  };
}

import type { Readable } from 'node:stream';
import { CommandError } from './command-error.js';
import { findProgram } from './find-program.js';
import { startChild, type Child } from './start-child.js';
import { supervise, type Limits, type Supervised } from './supervise.js';

export interface PipelineOptions extends Limits {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** The first stage's stdin; /dev/null when absent. */
  input?: string | Buffer;
  /** The last stage's stdout goes to this file (created or truncated); the result's stdout is then ''. */
  stdoutFile?: string;
  /** Per stage, how much of stderr's end is kept in memory. */
  stderrTailBytes?: number;
}

const ERROR_TAIL = 2000;

/**
 * `a | b | c` without a shell: each stage an argv, each stdout connected straight to the next stage's stdin
 * (not copied through si), the last one to a file or returned. Like `set -o pipefail`, any stage that fails
 * fails the pipeline, and the CommandError names the stage that caused it (failedStage), not the writer it
 * took down with it.
 */
export async function runPipeline(stages: readonly (readonly string[])[], options: PipelineOptions = {}): Promise<{ stdout: string }> {
  if (stages.length === 0) throw new Error('runPipeline: no stages');
  const missing = stages.find((argv) => !findProgram(argv[0] ?? '', { envPath: options.env?.PATH ?? process.env.PATH ?? '', cwd: options.cwd }));
  if (missing) throw new CommandError(missing, undefined, undefined, `${missing[0] ?? ''}: not installed (not found in PATH)`, false);
  const children: Child[] = [];
  let previous: Readable | undefined;
  try {
    stages.forEach((argv, index) => {
      const last = index === stages.length - 1;
      const child = startChild(argv, {
        cwd: options.cwd,
        env: options.env,
        stdin: index === 0 ? options.input : previous,
        stdout: !last ? 'pass' : options.stdoutFile ? { file: options.stdoutFile } : 'collect',
        stderrTailBytes: options.stderrTailBytes,
      });
      // The child has its own copy of the read end now; si's copy would keep a writer alive after its
      // reader died (no SIGPIPE, a full pipe forever).
      previous?.destroy();
      previous = child.process?.stdout ?? undefined;
      children.push(child);
    });
  } catch (error) {
    children.forEach((child) => child.kill('SIGKILL'));
    throw error;
  }
  const exits = await supervise(children, options);
  const cause = failedStage(exits);
  if (cause !== undefined) {
    const exit = exits[cause] as Supervised;
    throw new CommandError(stages[cause] as string[], exit.exitCode ?? undefined, exit.signal ?? undefined, exit.stderrTail.slice(-ERROR_TAIL), exit.timedOut);
  }
  return { stdout: exits.at(-1)?.stdout ?? '' };
}

// What a writer says when its reader is gone (EPIPE, or ECONNRESET on node's socket pairs).
const BROKEN_PIPE = /Broken pipe|Connection reset by peer/;

/**
 * The stage to blame: the first that failed other than by a broken pipe, else the first that failed. A
 * writer whose reader died fails as a consequence: by SIGPIPE in a shell, but node's pipes are socket pairs,
 * so here it usually gets ECONNRESET or EPIPE and exits 1 saying so. A reader after a failed stage may fail on
 * the cut stream too, but it comes later in the pipeline than its cause. (The order of exits cannot decide:
 * node learns of exits close together in one batch, in no particular order.)
 */
function failedStage(exits: readonly Supervised[]): number | undefined {
  const failed = exits
    .map((exit, index) => ({ exit, index }))
    .filter(({ exit }) => !exit.started || exit.exitCode !== 0 || exit.canceled || exit.timedOut);
  // 141: a shell stage whose own child died of SIGPIPE (128 + 13).
  const brokenPipe = (exit: Supervised) => exit.signal === 'SIGPIPE' || exit.exitCode === 141 || (exit.signal === null && BROKEN_PIPE.test(exit.stderrTail));
  return (failed.find(({ exit }) => !brokenPipe(exit)) ?? failed[0])?.index;
}

import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { dieWithParent, findProgram } from './find-program.js';
import { STDERR_TAIL_BYTES, TailBuffer } from './stderr-tail.js';

/** Where a child's stdout goes: kept in memory, dropped (after onStdout), left to the caller, or a file. */
export type StdoutTarget = 'collect' | 'discard' | 'pass' | { file: string; append?: boolean };

export interface ChildOptions {
  cwd?: string;
  /** Added to si's environment; a key set to undefined is removed. */
  env?: Record<string, string | undefined>;
  /** Bytes for stdin, or another child's stdout (a pipeline); else /dev/null. */
  stdin?: string | Buffer | Readable;
  stdout?: StdoutTarget;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** stderr is also written to this file (the tail stays in memory); the same file as stdout's is shared. */
  stderrFile?: { file: string; append?: boolean };
  stderrTailBytes?: number;
  /** A process group of its own, so that signals reach whatever it forks (test daemons). */
  group?: boolean;
  /**
   * How long after the exit to wait for stdout and stderr to close (a grandchild may hold them); then the
   * exit counts with the output read so far. Unbounded when absent: a command's output is read whole.
   */
  closeWaitMs?: number;
  /** stdin, stdout and stderr are si's own (an interactive shell on the console); nothing is collected. */
  console?: boolean;
}

export interface ChildExit {
  /** False when the program is not installed (or could not be executed). */
  started: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderrTail: string;
}

export interface Child {
  readonly argv: readonly string[];
  readonly process: ChildProcess | undefined;
  readonly exited: Promise<ChildExit>;
  running(): boolean;
  stderrTail(): string;
  /** Sends a signal to the process (or its group); false when it is gone. */
  kill(signal: NodeJS.Signals): boolean;
}

/** Starts argv (no shell) so that it dies with si; never throws for a program that is missing. */
export function startChild(argv: readonly string[], options: ChildOptions = {}): Child {
  const [file] = argv;
  if (!file) throw new Error('run: empty argv');
  const env = mergeEnv(options.env);
  const tail = new TailBuffer(options.stderrTailBytes ?? STDERR_TAIL_BYTES);
  if (!findProgram(file, { envPath: env.PATH ?? '', cwd: options.cwd })) {
    tail.push(Buffer.from(`${file}: not installed (not found in PATH)\n`));
    const exit: ChildExit = { started: false, exitCode: null, signal: null, stdout: '', stderrTail: tail.text() };
    return { argv, process: undefined, exited: Promise.resolve(exit), running: () => false, stderrTail: () => tail.text(), kill: () => false };
  }
  const files = openFiles(options);
  const stdoutTarget = options.stdout ?? 'collect';
  const stdoutStdio = files.stdout ?? (stdoutTarget === 'discard' && !options.onStdout ? 'ignore' : 'pipe');
  const stdin = options.stdin;
  const stdinStdio = stdin === undefined ? 'ignore' : typeof stdin === 'string' || Buffer.isBuffer(stdin) ? 'pipe' : stdin;
  const [command, ...args] = dieWithParent(argv) as [string, ...string[]];
  let child: ChildProcess;
  try {
    child = spawn(command, args, { cwd: options.cwd, env, stdio: (options.console ? 'inherit' : [stdinStdio, stdoutStdio, 'pipe']) as StdioOptions, detached: options.group });
  } finally {
    files.close();
  }
  if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) {
    child.stdin?.on('error', () => undefined); // a program that does not read its input
    child.stdin?.end(stdin);
  }
  const out: string[] = [];
  if (child.stdout && stdoutTarget !== 'pass') {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdoutTarget === 'collect') out.push(chunk);
      options.onStdout?.(chunk);
    });
  }
  const decoder = new StringDecoder('utf8');
  child.stderr?.on('data', (chunk: Buffer) => {
    tail.push(chunk);
    files.teeStderr(chunk);
    if (options.onStderr) options.onStderr(decoder.write(chunk));
  });
  let alive = child.pid !== undefined;
  const exited = new Promise<ChildExit>((resolve) => {
    let code: number | null = null;
    let signal: NodeJS.Signals | null = null;
    let started = child.pid !== undefined;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      alive = false;
      files.closeStderr();
      resolve({ started, exitCode: started ? code : null, signal, stdout: out.join(''), stderrTail: tail.text() });
    };
    child.once('error', (error) => {
      if (child.pid === undefined) {
        started = false;
        tail.push(Buffer.from(`${file}: ${error.message}\n`));
        finish();
      }
    });
    child.once('exit', (c, s) => {
      code = c;
      signal = s;
      alive = false;
      if (options.closeWaitMs !== undefined) setTimeout(finish, options.closeWaitMs).unref();
    });
    child.once('close', finish);
  });
  let settled = false;
  const done = exited.then((exit) => ((settled = true), exit));
  const kill = (signal: NodeJS.Signals): boolean => {
    // A group outlives its leader: what the leader forked can still be signalled after it exited.
    if (child.pid === undefined || (!options.group && (!alive || settled))) return false;
    try {
      if (options.group) process.kill(-child.pid, signal);
      else child.kill(signal);
      return true;
    } catch {
      return false;
    }
  };
  return { argv, process: child, exited: done, running: () => alive, stderrTail: () => tail.text(), kill };
}

function mergeEnv(extra: Record<string, string | undefined> | undefined): Record<string, string> {
  const env: Record<string, string | undefined> = { ...process.env, ...extra };
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

const OPEN_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_APPEND;

/** The output files, opened before the spawn; stdout's fd goes to the child, stderr's stays for the tee. */
function openFiles(options: ChildOptions) {
  const open = (target: { file: string; append?: boolean }) => fs.openSync(target.file, OPEN_FLAGS | (target.append ? 0 : fs.constants.O_TRUNC), 0o644);
  const target = typeof options.stdout === 'object' ? options.stdout : undefined;
  const stdout = target ? open(target) : undefined;
  // One file for both (a log): stderr appends through a descriptor of its own, after stdout's truncation.
  const shared = target !== undefined && options.stderrFile?.file === target.file;
  let stderrFd = options.stderrFile ? open(shared ? { file: options.stderrFile.file, append: true } : options.stderrFile) : undefined;
  return {
    stdout,
    teeStderr: (chunk: Buffer) => {
      try {
        if (stderrFd !== undefined) fs.writeSync(stderrFd, chunk);
      } catch {
        // A full disk loses the log, not the command; the tail is still in memory.
      }
    },
    close: () => {
      if (stdout !== undefined) fs.closeSync(stdout);
    },
    closeStderr: () => {
      if (stderrFd !== undefined) fs.closeSync(stderrFd);
      stderrFd = undefined;
    },
  };
}

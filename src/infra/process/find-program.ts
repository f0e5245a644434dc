import fs from 'node:fs';
import path from 'node:path';

/**
 * Where argv[0] would be found, as execvp finds it (PATH, or a path with a slash relative to cwd); null when
 * it is not installed. The runner asks first because a child started through setpriv always "starts".
 */
export function findProgram(name: string, { envPath = process.env.PATH ?? '', cwd = process.cwd() } = {}): string | null {
  if (name === '') return null;
  if (name.includes('/')) {
    const file = path.resolve(cwd, name);
    return isExecutableFile(file) ? file : null;
  }
  for (const dir of envPath.split(':')) {
    const file = path.resolve(cwd, dir || '.', name);
    if (isExecutableFile(file)) return file;
  }
  return null;
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

let setprivPath: string | null | undefined;

/**
 * The argv that makes the kernel SIGKILL the program when si dies, even by SIGKILL (PR_SET_PDEATHSIG through
 * util-linux setpriv, which then execs the program: same pid, no extra process). Traps: the death signal
 * follows the *thread* that forked, so children must be spawned from the main thread (never a worker
 * thread); and it is cleared in a child that forks again, so a program that backgrounds itself (ssh
 * ControlPersist, daemons without --no-detach) escapes it: run those in the foreground. Without setpriv
 * (not Linux, no util-linux) the argv is unchanged.
 */
export function dieWithParent(argv: readonly string[]): readonly string[] {
  setprivPath ??= findProgram('setpriv', { envPath: `${process.env.PATH ?? ''}:/usr/bin:/bin` });
  return setprivPath ? [setprivPath, '--pdeathsig', 'KILL', '--', ...argv] : argv;
}

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.js';

/** The fix for a registry that is not one any more. */
export const RESTORE = 'restore it from a backup (or move it away to start a new one)';

/** What the caller knows that the error does not say. */
export interface FaultContext {
  /** The busy timeout the connection waited, for a lock held longer. */
  busyTimeoutMs?: number;
}

/**
 * The one place where SQLite's result codes (better-sqlite3's `code`, extended codes included) and the
 * errno of the registry's own file operations become one line naming the problem and the fix.
 * Anything else (a constraint, a misuse) is returned as undefined: a bug, reported as one.
 */
export function registryFault(error: unknown, file: string, context: FaultContext = {}): UserError | undefined {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  const line = lineFor(code, file, error as Error, context);
  return line === undefined ? undefined : new UserError(line);
}

/**
 * Only SQLite's own errors: what a command meets while it works. An errno there belongs to the command's
 * other files (an --output, an image tree), not to the registry.
 */
export function sqliteFault(error: unknown, file: string, context: FaultContext = {}): UserError | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? registryFault(error, file, context) : undefined;
}

/** Below this much free space SQLite cannot even map its shared-memory file (32 KiB) and start a WAL. */
const MIN_FREE_BYTES = 64 * 1024;

/** A home whose filesystem is full: refused before SQLite creates its -wal and -shm there and cannot remove them. */
export function spaceFault(file: string): UserError | undefined {
  const free = freeBytes(path.dirname(file));
  return free !== undefined && free < MIN_FREE_BYTES ? new UserError(noSpace(file)) : undefined;
}

/** A registry (or its directory) this user may not write: refused before SQLite opens it read-only and leaves its -wal and -shm. */
export function accessFault(file: string): UserError | undefined {
  const code = accessProblem(file);
  return code === undefined ? undefined : registryFault({ code }, file);
}

function lineFor(code: string, file: string, error: Error, context: FaultContext): string | undefined {
  const dir = path.dirname(file);
  // SQLite says "cannot open" or "read-only" alike for a read-only mount and a file it may not write: ask the OS.
  const access = ['SQLITE_CANTOPEN', 'SQLITE_READONLY'].includes(family(code)) ? accessProblem(file) : undefined;
  switch (access ?? family(code)) {
    case 'SQLITE_NOTADB':
      return `${file} is not a sisuite registry (not an SQLite database): check --home/SI_HOME, or ${RESTORE}`;
    case 'SQLITE_CORRUPT':
      return `the registry ${file} is damaged (${detail(error)}): ${RESTORE}`;
    case 'SQLITE_READONLY':
    case 'EROFS':
      return `the registry ${file} cannot be written (read-only file or filesystem): remount ${dir} read-write or fix its permissions, then run the command again`;
    case 'SQLITE_PERM':
    case 'SQLITE_AUTH':
    case 'EACCES':
    case 'EPERM':
      return `no permission to write the registry ${file} (or ${dir}): run si as their owner, or give them write permission (chmod u+w)`;
    case 'SQLITE_CANTOPEN':
      return `cannot open the registry ${file}: check that ${dir} is a directory si can read and write, and that ${path.basename(file)} in it is a file`;
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return `the registry ${file} is busy: another si held its write lock for over ${waited(context)}; try again when it is done`;
    case 'SQLITE_FULL':
    case 'ENOSPC':
    case 'EDQUOT':
      return noSpace(file);
    case 'SQLITE_IOERR':
    case 'EIO':
      // SQLite reports some failed writes to a full filesystem (the shared-memory file) as I/O errors.
      return freeBytes(dir) === 0 ? noSpace(file) : `input/output error on the registry ${file} (${code}): check the disk under ${dir} (dmesg), then run the command again`;
    case 'ENOTDIR':
      return `${dir} is not a directory: give --home (or SI_HOME) the directory that holds sisuite.db`;
    default:
      return undefined;
  }
}

/** SQLITE_IOERR_SHORT_READ -> SQLITE_IOERR; errno codes pass through. */
function family(code: string): string {
  const match = /^SQLITE_[A-Z]+/.exec(code);
  return match ? match[0] : code;
}

function waited({ busyTimeoutMs }: FaultContext): string {
  return busyTimeoutMs === undefined ? 'the busy timeout' : `${busyTimeoutMs / 1000} s`;
}

function detail(error: Error): string {
  return error.message?.split('\n')[0]?.slice(0, 120) || 'integrity check failed';
}

function noSpace(file: string): string {
  return `no space left for the registry ${file}: free space on the filesystem of ${path.dirname(file)}, then run the command again`;
}

/** EROFS or EACCES when the registry or its directory cannot be written. */
function accessProblem(file: string): string | undefined {
  for (const target of [file, path.dirname(file)]) {
    try {
      fs.accessSync(target, fs.constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EROFS' || code === 'EACCES') return code;
    }
  }
  return undefined;
}

function freeBytes(dir: string): number | undefined {
  try {
    const stats = fs.statfsSync(dir);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

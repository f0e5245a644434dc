import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.js';

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0644). */
  mode?: number;
  /** Owner of the new file, e.g. root inside an image. */
  owner?: { uid: number; gid: number };
  /** Access and modification time of the new file, in seconds. */
  mtime?: number;
  /** Creates the parent directory (with this mode) when it is missing; by default a missing parent is an error. */
  createParent?: boolean | { mode: number };
}

/**
 * The one way sisuite replaces a file: the content goes to a private temporary name in the same directory
 * and is renamed over the target, so a reader (an rsync daemon, a second si) sees the old file or the new
 * one, never half. The temporary file is removed when anything fails. A target that is a directory, or a
 * missing parent, is a UserError naming the path.
 */
export function writeFileAtomic(file: string, content: string | Buffer, options: AtomicWriteOptions = {}): void {
  const dir = path.dirname(file);
  refuseDirectoryTarget(file);
  if (options.createParent) {
    const mode = typeof options.createParent === 'object' ? options.createParent.mode : 0o755;
    fs.mkdirSync(dir, { recursive: true, mode });
  } else if (!isDirectory(dir)) {
    throw new UserError(`cannot write ${file}: the directory ${dir} does not exist; create it first or choose another path`);
  }
  const temporary = path.join(dir, `.${path.basename(file)}.si-new-${randomBytes(4).toString('hex')}`);
  try {
    fs.writeFileSync(temporary, content, { mode: options.mode ?? 0o644, flag: 'wx' });
    // writeFileSync's mode passes through the umask; the caller's mode is meant exactly.
    fs.chmodSync(temporary, options.mode ?? 0o644);
    if (options.owner) fs.chownSync(temporary, options.owner.uid, options.owner.gid);
    if (options.mtime !== undefined) fs.utimesSync(temporary, options.mtime, options.mtime);
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw writeError(file, error);
  }
}

function refuseDirectoryTarget(file: string): void {
  if (isDirectory(file)) throw new UserError(`cannot write ${file}: it is a directory; give a file name`);
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Errors a user can fix become one line; anything else stays what it was. */
function writeError(file: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'the disk quota is used up',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the filesystem is read-only',
    ENOTDIR: 'a part of the path is not a directory',
    EISDIR: 'it is a directory',
  };
  const reason = code ? reasons[code] : undefined;
  return reason ? new UserError(`cannot write ${file}: ${reason}`) : error;
}

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { registryFault, RESTORE } from './registry-errors.js';

/** What lies at the registry's path before SQLite is let near it: nothing, nothing yet (zero bytes), or a registry. */
export type RegistryFileState = 'missing' | 'empty' | 'present';

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const HEADER_BYTES = 100;

/**
 * Looks at the home and the registry file without writing anything, and refuses what SQLite would
 * misread or silently replace: a home that is a file, a registry that is a directory, a text file, or a
 * file shorter than its own header says (a truncated copy). Reads at most the 100-byte header.
 */
export function inspectRegistryFile(file: string): RegistryFileState {
  const home = path.dirname(file);
  const homeStat = statOrNull(home, file);
  if (homeStat && !homeStat.isDirectory()) {
    throw new UserError(`the home ${home} is a file, not a directory: give --home (or SI_HOME) the directory that holds sisuite.db`);
  }
  const stat = statOrNull(file, file);
  if (!stat) return 'missing';
  if (stat.isDirectory()) throw new UserError(`the registry ${file} is a directory, not a file: move it away, or give --home (or SI_HOME) the right directory`);
  if (!stat.isFile()) throw new UserError(`the registry ${file} is not a regular file: move it away, or give --home (or SI_HOME) the right directory`);
  if (stat.size === 0) return 'empty';
  const header = readHeader(file);
  if (!startsLikeSqlite(header)) {
    throw new UserError(`${file} is not a sisuite registry (not an SQLite database): check --home/SI_HOME, or ${RESTORE}`);
  }
  const declared = declaredBytes(header);
  if (header.length < HEADER_BYTES || (declared !== undefined && declared > stat.size && !hasWal(file))) {
    throw new UserError(`the registry ${file} is truncated (${stat.size} bytes, its header says ${declared ?? 'at least 100'}): ${RESTORE}`);
  }
  return 'present';
}

function statOrNull(target: string, file: string): fs.Stats | null {
  try {
    return fs.statSync(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    // A home below a file (--home FILE/x) is ENOTDIR: the same mistake as --home FILE.
    if (code === 'ENOTDIR') throw new UserError(`${path.dirname(file)} is not a directory (a file on its path): give --home (or SI_HOME) the directory that holds sisuite.db`);
    throw registryFault(error, file) ?? error;
  }
}

function readHeader(file: string): Buffer {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const header = Buffer.alloc(HEADER_BYTES);
    const read = fs.readSync(fd, header, 0, HEADER_BYTES, 0);
    return header.subarray(0, read);
  } catch (error) {
    throw registryFault(error, file) ?? error;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** A file cut inside the magic string still starts like one. */
function startsLikeSqlite(header: Buffer): boolean {
  const length = Math.min(header.length, MAGIC.length);
  return header.subarray(0, length).equals(MAGIC.subarray(0, length));
}

/** Page size times page count, when the header's count is valid (SQLite file format, section 1.3). */
function declaredBytes(header: Buffer): number | undefined {
  if (header.length < HEADER_BYTES) return undefined;
  const raw = header.readUInt16BE(16);
  const pageSize = raw === 1 ? 65_536 : raw;
  const pages = header.readUInt32BE(28);
  const valid = pages > 0 && header.readUInt32BE(24) === header.readUInt32BE(92);
  return valid ? pageSize * pages : undefined;
}

/** A checkpoint cut short may leave page 1 ahead of the file's length; SQLite finishes it from the WAL. */
function hasWal(file: string): boolean {
  try {
    return fs.statSync(`${file}-wal`).size > 0;
  } catch {
    return false;
  }
}

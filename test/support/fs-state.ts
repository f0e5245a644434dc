// The state of a directory as a user would compare it, and a filesystem made full, for fault tests.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, lstatSync, openSync, readdirSync, readFileSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Every name under dir with its type, and a sha256 of each regular file (the registry's -shm excepted: readers mark it). */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string, rel: string): void => {
    const stat = lstatSync(at);
    if (stat.isDirectory()) {
      out[`${rel}/`] = 'dir';
      for (const name of readdirSync(at).sort()) walk(join(at, name), `${rel}/${name}`);
    } else if (stat.isFile() && !rel.endsWith('-shm')) {
      out[rel] = createHash('sha256').update(readFileSync(at)).digest('hex');
    } else out[rel] = stat.isSymbolicLink() ? 'link' : stat.isFile() ? 'file' : 'other';
  };
  if (existsSync(dir)) walk(dir, '');
  return out;
}

/** Writes zeros until the filesystem has no more than `leave` bytes free. Bounded by the filesystem's size. */
export function fillUp(file: string, leave = 0): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (let i = 0; i < 100_000; i++) {
      const stats = statfsSync(file);
      if (leave > 0 && stats.bavail * stats.bsize <= leave + chunk.length) break;
      try {
        writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        break;
      }
    }
    for (let i = 0; i < 64 && leave === 0; i++) {
      try {
        writeSync(fd, Buffer.alloc(512));
      } catch {
        break;
      }
    }
  } finally {
    closeSync(fd);
  }
}

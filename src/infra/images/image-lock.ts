import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { tryPidLock } from '../fs/pid-lock.js';

/**
 * One writer per image: a pid lock file in the image's versions directory. Releasing it also removes that
 * directory when nothing else is in it (a failed first capture or build leaves nothing behind).
 */
export function lockImage(versionsDir: string, image: string): () => void {
  const dir = path.join(versionsDir, image);
  const file = path.join(dir, '.lock');
  for (let attempt = 0; attempt < 3; attempt += 1) {
    fs.mkdirSync(dir, { recursive: true });
    let lock: ReturnType<typeof tryPidLock>;
    try {
      lock = tryPidLock(file);
    } catch (error) {
      // ENOENT: another writer removed the empty directory between our mkdir and our lock file.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    if ('holder' in lock) throw new UserError(`image ${image} is being written by process ${lock.holder}: wait for it to finish`);
    return () => {
      lock.release();
      removeIfEmpty(dir);
    };
  }
  throw new UserError(`cannot lock image ${image}: remove ${file} if no si process is running`);
}

function removeIfEmpty(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    // Not empty (versions, a partial copy, another writer's lock) or gone already: it stays as it is.
  }
}

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.js';

/**
 * One writer per image: a lock file holding the writer's pid; a lock whose process is gone is taken over.
 * Releasing it also removes the image's directory when nothing else is in it (a failed first capture or
 * build leaves nothing behind).
 */
export function lockImage(versionsDir: string, image: string): () => void {
  const dir = path.join(versionsDir, image);
  const file = path.join(dir, '.lock');
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => {
        fs.rmSync(file, { force: true });
        removeIfEmpty(dir);
      };
    } catch (error) {
      // ENOENT: another writer removed the empty directory between our mkdir and our lock file.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(fs.readFileSync(file, 'utf8'));
      if (isAlive(holder)) throw new UserError(`image ${image} is being written by process ${holder}: wait for it to finish`);
      fs.rmSync(file, { force: true });
    }
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

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

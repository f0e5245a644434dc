import fs from 'node:fs';

/**
 * A lock file holding its owner's pid, created exclusively. A lock whose process is gone (si was killed) is
 * taken over. Returns release() on success, or the live holder's pid. Used for one writer per image and one
 * scripts render at a time.
 */
export function tryPidLock(file: string): { release: () => void } | { holder: number } {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return { release: () => fs.rmSync(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(readOrEmpty(file));
    if (isAlive(holder)) return { holder };
    fs.rmSync(file, { force: true });
  }
  // Three stale locks in a row: another si keeps taking it over; report it as held by that process.
  return { holder: Number(readOrEmpty(file)) || -1 };
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

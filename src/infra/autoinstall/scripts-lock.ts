import fs from 'node:fs';
import { UserError } from '../../core/errors.js';

/** How long a render waits for another one to finish before it gives up. */
const WAIT_MS = 120_000;
const POLL_MS = 100;

/**
 * One render at a time builds a scripts generation: the next one is built from the one served, so two at
 * once would lose the first one's files. A lock file holds the renderer's pid (as images/ locks do); a lock
 * whose process is gone is taken over; a live one is waited for, within bounds.
 */
export async function takeScriptsLock(file: string): Promise<() => void> {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(readOrEmpty(file));
    if (!isAlive(holder)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > until) throw new UserError(`the scripts are being rendered by process ${holder} for over ${WAIT_MS / 1000} s: wait for it, or remove ${file} if no si process runs`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
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

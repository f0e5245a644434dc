import { UserError } from '../../core/errors.js';
import { tryPidLock } from '../fs/pid-lock.js';

/** How long a render waits for another one to finish before it gives up. */
const WAIT_MS = 120_000;
const POLL_MS = 100;

/**
 * One render at a time builds a scripts generation: the next one is built from the one served, so two at
 * once would lose the first one's files. A live holder is waited for, within bounds.
 */
export async function takeScriptsLock(file: string): Promise<() => void> {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const lock = tryPidLock(file);
    if ('release' in lock) return lock.release;
    if (Date.now() > until) throw new UserError(`the scripts are being rendered by process ${lock.holder} for over ${WAIT_MS / 1000} s: wait for it, or remove ${file} if no si process runs`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

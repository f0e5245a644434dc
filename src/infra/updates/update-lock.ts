import fs from 'node:fs';
import { UserError } from '../../core/errors.js';
import { isAlive } from '../fs/pid-lock.js';
import { BUSY_EXIT, busyMessage, lockIsHeld, lockOwnerText, parseLockOwner } from '../../core/updates/lock.js';

/**
 * Takes ROOT's update lock as si-updateclient does (the same symlink, so the script and the CLI exclude each
 * other); returns its release. A held lock: UserError, exit 4. A stale one (its pid gone, or of an earlier
 * boot) is taken over under the guard directory LOCK.takeover.
 */
export function takeUpdateLock({ lock, root, say }: { lock: string; root: string; say: (line: string) => void }): () => void {
  const bootId = readBootId();
  const me = lockOwnerText({ pid: process.pid, bootId, started: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
  const busy = (why: string) => new UserError(busyMessage(root, lock, why), BUSY_EXIT);
  if (!link(me, lock)) {
    const text = readLink(lock);
    const owner = parseLockOwner(text);
    if (lockIsHeld(owner, { bootId, alive: isAlive })) throw busy(`pid ${owner.pid}, started ${owner.started}`);
    try {
      fs.mkdirSync(`${lock}.takeover`);
    } catch {
      throw busy(`another run is taking over its lock ${lock}.takeover`);
    }
    try {
      if (readLink(lock) === text) fs.rmSync(lock, { force: true });
      if (!link(me, lock)) throw busy(`its lock ${lock} was taken meanwhile`);
    } finally {
      fs.rmdirSync(`${lock}.takeover`);
    }
    say(`took over the lock of an update that is gone (${text || 'no owner'})`);
  }
  return () => {
    if (readLink(lock) === me) fs.rmSync(lock, { force: true });
  };
}

/** /run: root's alone (unlike the world-writable /run/lock) and emptied at boot; as si-updateclient chooses. */
export function lockDirectory(): string {
  if (fs.statSync('/run', { throwIfNoEntry: false })?.isDirectory()) return '/run';
  throw new UserError("no directory /run for the update's lock: create it (mode 0755)");
}

function link(target: string, path: string): boolean {
  try {
    fs.symlinkSync(target, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function readLink(path: string): string {
  try {
    return fs.readlinkSync(path);
  } catch {
    return '';
  }
}

function readBootId(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

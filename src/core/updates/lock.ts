/**
 * One update at a time per tree: a symlink whose target names its owner, `PID BOOT-ID STARTED` (si-updateclient
 * makes it with `ln -s`, atomic, owner included; si updateclient the same). It lives in /run, not in the tree,
 * so that a dry run leaves the tree as it was to the bit.
 */
export interface LockOwner {
  pid: number;
  /** /proc/sys/kernel/random/boot_id when the lock was taken ('none' if unreadable): a pid of an earlier boot is no one. */
  bootId: string;
  started: string;
}

export function lockOwnerText(owner: LockOwner): string {
  return `${owner.pid} ${owner.bootId || 'none'} ${owner.started}`;
}

export function parseLockOwner(text: string): LockOwner | null {
  const match = /^(\d+) (\S+) (\S+)$/.exec(text.trim());
  return match?.[1] && match[2] && match[3] ? { pid: Number(match[1]), bootId: match[2], started: match[3] } : null;
}

/** The lock is held when its owner is a running process of this boot; otherwise it is stale and may be taken over. */
export function lockIsHeld(owner: LockOwner | null, now: { bootId: string; alive: (pid: number) => boolean }): owner is LockOwner {
  return owner !== null && owner.bootId === (now.bootId || 'none') && now.alive(owner.pid);
}

/** The one line of a run that finds the lock held (exit 4). */
export function busyMessage(root: string, lock: string, why: string): string {
  return `another update of ${root} is running (${why}): nothing changed; wait for it to end, or remove ${lock} if no si-updateclient runs`;
}

export const BUSY_EXIT = 4;

/** The lock of the tree at root ('' or '/' for the machine itself) in lockDir: the tree's path in the name, % as %25 and / as %2F. */
export function lockPath(lockDir: string, root: string): string {
  const tree = root === '/' ? '' : root.replace(/\/+$/, '');
  return `${lockDir}/si-updateclient${tree.replaceAll('%', '%25').replaceAll('/', '%2F')}.lock`;
}

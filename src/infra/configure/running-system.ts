import { readdirSync, statSync } from 'node:fs';
import { UserError } from '../../core/errors.js';

/** The flag that lets si configure work on a system that is running. */
export const RUNNING_SYSTEM_FLAG = '--i-mean-the-running-system';

const identity = (path: string): string | undefined => {
  try {
    const stat = statSync(path);
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return undefined;
  }
};

/**
 * Refuses a root tree that is the root of a running system: this machine's `/` (by any path: `/.`, a
 * symlink, a bind mount of `/`, compared by device and inode), or the root of any running process (a
 * container, a chrooted service, a system booted from it). Configuring it would replace the ssh host keys and
 * the machine id under the running services and install a bootloader over the running machine's.
 */
export function refuseRunningSystem(root: string): void {
  const tree = identity(root);
  if (tree === undefined) return;
  const roots = new Map<string, string>();
  for (const path of ['/', '/proc/1/root']) {
    const id = identity(path);
    if (id !== undefined) roots.set(id, 'the running system');
  }
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    pids = [];
  }
  for (const pid of pids) {
    const id = identity(`/proc/${pid}/root`);
    if (id !== undefined && !roots.has(id)) roots.set(id, `the root of running process ${pid}`);
  }
  const what = roots.get(tree);
  if (what !== undefined) {
    throw new UserError(`root ${root} is ${what}: si configure would replace its ssh host keys and machine id and install a bootloader on it; give a copy or a mounted disk, or add ${RUNNING_SYSTEM_FLAG}`);
  }
}

import { lstatSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { CHROOT_MOUNT_SOURCE, chrootMountOwner, mountsBelow } from '../../core/configure/mountinfo.js';
import { UserError } from '../../core/errors.js';
import { readMounts, unmountAll } from '../fs/mounts.js';
import { run } from '../run.js';

/**
 * What chrooted commands need (update-initramfs, grub-install, ssh-keygen want /dev/null, /proc, /sys).
 * Fresh proc and sysfs instances, not binds: a recursive bind of /sys would pull the host's cgroup and
 * efivarfs mounts in. /dev is a devtmpfs (the kernel's one device tree, as the host's /dev shows it), which
 * the disk nodes grub-install needs are in.
 */
const SPECIAL = [
  { dir: 'dev', fstype: 'devtmpfs', options: 'nosuid,noexec' },
  { dir: 'proc', fstype: 'proc', options: 'nosuid,nodev,noexec' },
  { dir: 'sys', fstype: 'sysfs', options: 'nosuid,nodev,noexec' },
] as const;

export interface ChrootMounts {
  /** Mount points this run made (to be removed by release). */
  mounted: string[];
  /** Mounts an interrupted earlier run (kill -9) left, removed before mounting. */
  removedStale: string[];
  release(): Promise<void>;
}

/** Whether PID is a running si configure (a pid reused by another program does not count). */
function isRunningConfigure(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('configure');
  } catch {
    return false;
  }
}

/**
 * Mounts /dev, /proc and /sys inside `root` for chrooted commands, each only where nothing is mounted yet,
 * with the source `si-configure:PID` so that the mounts of a run that was killed are recognised and removed
 * by the next. Refuses a root another si configure is working on.
 */
export async function mountChrootFilesystems(root: string): Promise<ChrootMounts> {
  const real = realpathSync(root);
  const stale: string[] = [];
  for (const entry of mountsBelow(readMounts(), real)) {
    const owner = chrootMountOwner(entry);
    if (owner === undefined || owner === process.pid) continue;
    if (isRunningConfigure(owner)) throw new UserError(`${root} is being configured by another si configure (pid ${owner}): wait for it to finish`);
    stale.push(entry.mountPoint);
  }
  await unmountAll(stale);
  const mounted: string[] = [];
  try {
    for (const { dir, fstype, options } of SPECIAL) {
      const target = join(real, dir);
      const stat = lstatOrNull(target);
      if (stat && !stat.isDirectory()) {
        throw new UserError(`${join(root, dir)} is ${stat.isSymbolicLink() ? 'a symlink' : 'not a directory'}: si configure mounts ${fstype} there for its chrooted commands; make it an empty directory`);
      }
      if (!stat) mkdirSync(target, { mode: 0o755 });
      if (readMounts().some((entry) => entry.mountPoint === target)) continue;
      await run(['mount', '-t', fstype, '-o', options, `${CHROOT_MOUNT_SOURCE}:${process.pid}`, target]);
      mounted.push(target);
    }
  } catch (error) {
    await unmountAll([...mounted].reverse());
    throw error;
  }
  let released = false;
  return {
    mounted,
    removedStale: stale,
    release: async () => {
      if (released) return;
      released = true;
      await unmountAll([...mounted].reverse());
    },
  };
}

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

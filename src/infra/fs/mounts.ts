import { readFileSync, realpathSync } from 'node:fs';
import { mountsBelow, parseMountinfo, type MountEntry } from '../../core/configure/mountinfo.js';
import { UserError } from '../../core/errors.js';
import { succeeds } from '../run.js';

/** This process's mount table. */
export const readMounts = (): MountEntry[] => parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));

/** Mount points below `dir`, deepest first ([] when dir does not exist). */
export function mountPointsBelow(dir: string): string[] {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    return [];
  }
  return mountsBelow(readMounts(), real).map((entry) => entry.mountPoint);
}

/** Unmounts each (in the order given: deepest first); a busy one is detached (umount -l) so nothing stays visible. */
export async function unmountAll(targets: readonly string[]): Promise<void> {
  const left: string[] = [];
  for (const target of targets) {
    if (await succeeds(['umount', target])) continue;
    if (!(await succeeds(['umount', '-l', target]))) left.push(target);
  }
  if (left.length > 0) throw new UserError(`could not unmount ${left.join(', ')}: unmount them with 'umount -l' before using the tree`);
}

/** Unmounts whatever a killed program left mounted below `dir` (debootstrap's /proc and /sys in its target). */
export async function unmountBelow(dir: string): Promise<string[]> {
  const targets = mountPointsBelow(dir);
  await unmountAll(targets);
  return targets;
}

import { lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';

const MAX_LINKS = 40;

/**
 * The host path of `path` inside `root`, following symlinks as a chroot would: an absolute
 * link target restarts at `root`, `..` never climbs above it. With `followLast: false` the last
 * segment is not followed (to act on a symlink itself).
 */
export function resolveInRoot(root: string, path: string, options: { followLast?: boolean } = {}): string {
  const pending = path.split('/').filter(Boolean);
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const segment = pending.shift() as string;
    if (segment === '.') continue;
    if (segment === '..') {
      done.pop();
      continue;
    }
    const hostPath = join(root, ...done, segment);
    const isLast = pending.length === 0;
    let target: string | undefined;
    try {
      if ((!isLast || options.followLast !== false) && lstatSync(hostPath).isSymbolicLink()) target = readlinkSync(hostPath);
    } catch {
      target = undefined;
    }
    if (target === undefined) {
      done.push(segment);
      continue;
    }
    if (++hops > MAX_LINKS) throw new UserError(`too many symlinks resolving ${path} in ${root}`);
    if (target.startsWith('/')) done.length = 0;
    pending.unshift(...target.split('/').filter(Boolean));
  }
  return join(root, ...done);
}

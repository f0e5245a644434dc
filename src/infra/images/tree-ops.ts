import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { mountPointsBelow } from '../fs/mounts.js';

/** Points `link` at `target` atomically: a new symlink beside it, renamed over the old one. */
export function switchLink(link: string, target: string): void {
  fs.mkdirSync(path.dirname(link), { recursive: true });
  const temporary = `${link}.switch-${process.pid}`;
  fs.rmSync(temporary, { force: true });
  fs.symlinkSync(target, temporary);
  fs.renameSync(temporary, link);
}

export function readLinkOrNull(link: string): string | null {
  try {
    return fs.readlinkSync(link);
  } catch {
    return null;
  }
}

/**
 * Removes a tree; renames it aside first so a half-deleted tree is never seen under its real name. A tree with
 * a filesystem mounted below it is refused: a recursive delete would go on into that filesystem (a /dev or
 * /proc left by a killed debootstrap); callers unmount first (unmountBelow in src/infra/fs/mounts.ts).
 */
export function removeTree(dir: string): void {
  if (!fs.existsSync(dir)) return;
  const mounted = mountPointsBelow(dir);
  if (mounted.length > 0) throw new UserError(`${dir} has filesystems mounted below it (${mounted.join(', ')}): unmount them first ('umount -l'); nothing was removed`);
  const doomed = path.join(path.dirname(dir), `.deleting-${path.basename(dir)}-${process.pid}`);
  fs.renameSync(dir, doomed);
  fs.rmSync(doomed, { recursive: true, force: true });
}

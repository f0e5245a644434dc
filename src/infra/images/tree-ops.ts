import fs from 'node:fs';
import path from 'node:path';

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

/** Removes a tree; renames it aside first so a half-deleted tree is never seen under its real name. */
export function removeTree(dir: string): void {
  if (!fs.existsSync(dir)) return;
  const doomed = path.join(path.dirname(dir), `.deleting-${path.basename(dir)}-${process.pid}`);
  fs.renameSync(dir, doomed);
  fs.rmSync(doomed, { recursive: true, force: true });
}

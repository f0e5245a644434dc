import fs from 'node:fs';
import path from 'node:path';
import type { CapturedLayout } from '../../core/layout/captured.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { SshSession } from '../ssh/session.js';

/** The path prepareclient writes on the golden client; it travels into the image with the rest. */
export const LAYOUT_PATH = '/etc/sisuite/layout.json';

export function layoutText(layout: CapturedLayout): string {
  return `${JSON.stringify(layout, null, 2)}\n`;
}

/**
 * After the copy: when the layout changed, write it on the golden client and the very same bytes and
 * mtime into the new version, so the image holds the layout of its own capture and the next capture
 * sees no difference. An unchanged layout (all but its time stamp) is left alone on both sides.
 */
export async function recordLayout(options: { session: SshSession; tree: string; layout: CapturedLayout; previous: string | null }): Promise<void> {
  const { session, tree, layout, previous } = options;
  if (previous !== null && sameLayout(previous, layout)) return;
  const text = layoutText(layout);
  await session.writeFile(LAYOUT_PATH, text);
  const now = Math.floor(Date.now() / 1000);
  const [fileTime = null, dirTime = null] = await session.mtimes([LAYOUT_PATH, path.posix.dirname(LAYOUT_PATH)]);
  const file = path.join(tree, LAYOUT_PATH);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  // A new inode: the old file may be a hard link shared with the previous version.
  writeFileAtomic(file, text, { mode: 0o644, owner: { uid: 0, gid: 0 }, mtime: fileTime ?? now });
  fs.utimesSync(path.dirname(file), dirTime ?? now, dirTime ?? now);
}

/** Whether two layouts differ in nothing but their capture time. */
export function sameLayout(text: string, layout: CapturedLayout): boolean {
  try {
    const { capturedAt: _old, ...before } = JSON.parse(text) as CapturedLayout;
    const { capturedAt: _new, ...after } = layout;
    return JSON.stringify(before) === JSON.stringify(after);
  } catch {
    return false;
  }
}

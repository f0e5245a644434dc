import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { archiveOrder } from '../../core/installer/plan.js';
import { runPipeline } from '../run.js';

/** Every entry under root, relative, folders included. */
function walk(root: string, rel = ''): string[] {
  return fs.readdirSync(path.join(root, rel), { withFileTypes: true }).flatMap((entry) => {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    return entry.isDirectory() ? [child, ...walk(root, child)] : [child];
  });
}

/**
 * The gzip'd newc archive of a staged tree, the same bytes for the same tree: entries sorted, every mtime
 * the fixed epoch, folders 0755, owner root (cpio -R 0:0), inode numbers from cpio --reproducible, no name or
 * time in the gzip header (-n). Written to a scratch file and renamed by the caller.
 */
export async function writeArchive(stage: string, output: string, epoch: number): Promise<void> {
  const entries = archiveOrder(walk(stage));
  for (const entry of entries) {
    const full = path.join(stage, entry);
    if (fs.lstatSync(full).isDirectory()) fs.chmodSync(full, 0o755);
  }
  // Deepest first: setting a file's time does not touch it, but writing into a folder would.
  for (const entry of [...entries].reverse()) fs.lutimesSync(path.join(stage, entry), epoch, epoch);
  fs.lutimesSync(stage, epoch, epoch);
  await runPipeline(
    [
      ['cpio', '--quiet', '-o', '-H', 'newc', '--null', '--reproducible', '-R', '0:0'],
      ['gzip', '-n', '-6'],
    ],
    { cwd: stage, input: Buffer.from(entries.map((e) => `${e}\0`).join('')), stdoutFile: output },
  );
}

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

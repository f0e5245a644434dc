import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mountOf, type MountUsage } from '../../core/layout/image-fit.js';

const BLOCK = 4096;
/** ext4 keeps a symlink target of up to 59 bytes in the inode itself. */
const INLINE_SYMLINK = 59;

const blocks = (size: number) => Math.ceil(size / BLOCK) * BLOCK;

/**
 * What an image tree takes on the filesystems it lands on, per mount point: file sizes rounded up to 4 KiB
 * blocks (an install writes files whole, not sparse), a block per directory and per long symlink, each
 * hard-linked inode once. Walks the tree without following symlinks; every mount point gets an entry.
 */
export function measureTree(root: string, mounts: readonly string[]): Map<string, MountUsage> {
  const usage = new Map<string, MountUsage>(['/', ...mounts].map((mount) => [mount, { bytes: 0, inodes: 0 }]));
  const seen = new Set<string>();
  const pending: string[] = ['/'];
  while (pending.length > 0) {
    const path = pending.pop() as string;
    const stat = lstatSync(join(root, path), { bigint: false });
    if (stat.nlink > 1 && !stat.isDirectory()) {
      const key = `${stat.dev}:${stat.ino}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    const entry = usage.get(mountOf(path, mounts)) as MountUsage;
    entry.inodes += 1;
    if (stat.isFile()) entry.bytes += blocks(stat.size);
    else if (stat.isSymbolicLink()) entry.bytes += stat.size > INLINE_SYMLINK ? BLOCK : 0;
    else if (stat.isDirectory()) {
      entry.bytes += Math.max(BLOCK, blocks(stat.size));
      for (const name of readdirSync(join(root, path))) pending.push(path === '/' ? `/${name}` : `${path}/${name}`);
    }
  }
  return usage;
}

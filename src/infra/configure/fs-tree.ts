import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { TreeReader } from '../../core/configure/tree.js';
import { resolveInRoot } from './root-path.js';

/** A TreeReader over a directory on disk, resolving symlinks inside it as a chroot would. */
export function createFsTree(root: string): TreeReader {
  const regularFile = (path: string): string | undefined => {
    const hostPath = resolveInRoot(root, path);
    try {
      return statSync(hostPath).isFile() ? hostPath : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    exists(path) {
      try {
        lstatSync(resolveInRoot(root, path, { followLast: false }));
        return true;
      } catch {
        return false;
      }
    },
    readFile(path) {
      const hostPath = regularFile(path);
      return hostPath === undefined ? undefined : readFileSync(hostPath, 'utf8');
    },
    list(dir) {
      try {
        return readdirSync(resolveInRoot(root, dir)).sort();
      } catch {
        return [];
      }
    },
    sha256(path) {
      const hostPath = regularFile(path);
      return hostPath === undefined ? undefined : createHash('sha256').update(readFileSync(hostPath)).digest('hex');
    },
  };
}

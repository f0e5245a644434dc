import { createHash } from 'node:crypto';
import { expandPattern, type TreeReader } from '../../core/configure/tree.js';
import { createFsTree } from '../configure/fs-tree.js';

/**
 * A TreeReader over an image that answers each question once (planning thousands of hosts reads the
 * same files) and remembers what was asked, so that a later render can tell cheaply whether the image
 * still answers the same: `fingerprintReads` replays the questions against the tree.
 */
export interface RecordingTree extends TreeReader {
  /** Every question asked, as `op:path` (op e, r, l or s). */
  keys(): string[];
}

export function createRecordingTree(root: string): RecordingTree {
  const tree = createFsTree(root);
  const cache = new Map<string, unknown>();
  const globs = new Map<string, readonly string[]>();
  const ask = <T>(op: string, path: string, answer: () => T): T => {
    const key = `${op}:${path}`;
    if (cache.has(key)) return cache.get(key) as T;
    const value = answer();
    cache.set(key, value);
    return value;
  };
  const recording: RecordingTree = {
    exists: (path) => ask('e', path, () => tree.exists(path)),
    readFile: (path) => ask('r', path, () => tree.readFile(path)),
    // Shared between calls: expandPattern, the only caller, just iterates.
    list: (dir) => ask('l', dir, () => tree.list(dir)),
    sha256: (path) => ask('s', path, () => tree.sha256(path)),
    // Worked out once through the recorded questions above, so the fingerprint covers it.
    glob: (pattern) => {
      let paths = globs.get(pattern);
      if (!paths) {
        paths = Object.freeze(expandPattern(recording, pattern));
        globs.set(pattern, paths);
      }
      return paths;
    },
    keys: () => [...cache.keys()].sort(),
  };
  return recording;
}

/** sha256 over the answers the tree at `root` gives now to the questions in `keys`. */
export function fingerprintReads(root: string, keys: readonly string[]): string {
  const tree = createFsTree(root);
  const hash = createHash('sha256');
  for (const key of keys) {
    const op = key.slice(0, 1);
    const path = key.slice(2);
    const value = op === 'e' ? tree.exists(path) : op === 'r' ? tree.readFile(path) : op === 'l' ? tree.list(path) : tree.sha256(path);
    hash.update(`${key}\0${JSON.stringify(value ?? null)}\n`);
  }
  return hash.digest('hex');
}

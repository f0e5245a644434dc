// Tree digests for comparing a capture with its source: metadata, content hashes, xattrs, hardlink structure.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readlinkSync, readSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/infra/run.js';
import { absolutePath, renderPath, walkTree } from './walk.js';

const DUMP_SCRIPT = fileURLToPath(new URL('./getfattr-dump.sh', import.meta.url));

export type EntryType = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';

export interface DigestEntry {
  type: EntryType;
  /** Permission bits including setuid, setgid and sticky. */
  mode: number;
  uid: number;
  gid: number;
  /** Regular files and symlinks only (a directory's size depends on the filesystem). */
  size?: number;
  /** Seconds. */
  mtime: number;
  sha256?: string;
  target?: string;
  rdev?: number;
  /** `name=0xhex`, sorted; includes system.posix_acl_access and system.posix_acl_default. */
  xattrs: string[];
  /** For a file with other links inside the tree: the smallest path of its group. */
  link?: string;
}

export type Digest = Map<string, DigestEntry>;
export type DigestField = keyof DigestEntry;

export interface DigestComparison {
  onlyInA: string[];
  onlyInB: string[];
  differ: Array<{ path: string; fields: DigestField[] }>;
}

/** Whether a field of an entry is left out of a comparison. */
export type IgnoreField = (path: string, field: DigestField, entry: DigestEntry) => boolean;

/** Ignores directory mtimes, which a capture may touch when it leaves out excluded content. */
export const ignoreDirectoryMtimes: IgnoreField = (_path, field, entry) => field === 'mtime' && entry.type === 'dir';

/** Digests every entry under root (paths relative, starting with '/'); exclude(path) prunes a subtree. */
export async function treeDigest(root: string, { exclude }: { exclude?: (path: string) => boolean } = {}): Promise<Digest> {
  const xattrs = readTreeXattrs(root);
  // Keep the promise handled while the synchronous walk runs; its error is rethrown below.
  xattrs.catch(() => undefined);
  const digest: Digest = new Map();
  const groups = new Map<string, string[]>();
  const buffer = Buffer.allocUnsafe(1 << 20);
  for (const { rel, path, stats } of walkTree(root, { exclude })) {
    const type = typeOf(stats);
    const entry: DigestEntry = {
      type,
      mode: Number(stats.mode & 0o7777n),
      uid: Number(stats.uid),
      gid: Number(stats.gid),
      mtime: Math.floor(Number(stats.mtimeNs) / 1e9),
      xattrs: [],
    };
    if (type === 'file') {
      entry.size = Number(stats.size);
      // An inode whose size, mtime and ctime are as when it was hashed has that content (ctime moves on any write).
      const key = `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
      entry.sha256 = hashes.get(key) ?? hashes.set(key, hashFile(absolutePath(root, rel), buffer)).get(key);
    } else if (type === 'symlink') {
      entry.size = Number(stats.size);
      entry.target = renderPath(readlinkSync(absolutePath(root, rel), { encoding: 'buffer' }));
    } else if (type === 'char' || type === 'block') {
      entry.rdev = Number(stats.rdev);
    }
    if (type !== 'dir' && stats.nlink > 1n) {
      const key = `${stats.dev}:${stats.ino}`;
      groups.set(key, [...(groups.get(key) ?? []), path]);
    }
    digest.set(path, entry);
  }
  for (const paths of groups.values()) {
    if (paths.length < 2) continue;
    const smallest = paths.reduce((a, b) => (b < a ? b : a));
    for (const path of paths) (digest.get(path) as DigestEntry).link = smallest;
  }
  for (const [path, attributes] of await xattrs) {
    const entry = digest.get(path);
    if (entry) entry.xattrs = attributes.sort();
  }
  return digest;
}

/** Entries only in a, only in b, and the fields that differ for the others (minus ignored ones). */
export function compareDigests(a: Digest, b: Digest, { ignore }: { ignore?: IgnoreField } = {}): DigestComparison {
  const result: DigestComparison = { onlyInA: [], onlyInB: [], differ: [] };
  for (const [path, left] of a) {
    const right = b.get(path);
    if (!right) {
      result.onlyInA.push(path);
      continue;
    }
    const keys = new Set([...Object.keys(left), ...Object.keys(right)] as DigestField[]);
    const fields = [...keys]
      .filter((field) => JSON.stringify(left[field]) !== JSON.stringify(right[field]))
      .filter((field) => !ignore?.(path, field, left))
      .sort();
    if (fields.length > 0) result.differ.push({ path, fields });
  }
  for (const path of b.keys()) if (!a.has(path)) result.onlyInB.push(path);
  result.onlyInA.sort();
  result.onlyInB.sort();
  result.differ.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return result;
}

function typeOf(stats: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isFIFO(): boolean }): EntryType {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isCharacterDevice()) return 'char';
  if (stats.isBlockDevice()) return 'block';
  if (stats.isFIFO()) return 'fifo';
  return 'socket';
}

const hashes = new Map<string, string | undefined>();

function hashFile(path: Buffer, buffer: Buffer): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Every xattr of the tree in one getfattr run, keyed by rendered relative path. */
async function readTreeXattrs(root: string): Promise<Map<string, string[]>> {
  const work = await mkdtemp(join(tmpdir(), 'si-digest-'));
  try {
    const output = join(work, 'xattrs');
    await run(['sh', DUMP_SCRIPT, resolve(root), output]);
    return parseGetfattrDump(await readFile(output), Buffer.from(resolve(root)));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const FILE_HEADER = Buffer.from('# file: ');

/** Parses `getfattr -d -e hex --absolute-names` output (raw bytes) into relative path -> `name=value` list. */
export function parseGetfattrDump(dump: Buffer, root: Buffer): Map<string, string[]> {
  const result = new Map<string, string[]>();
  let current: string[] | undefined;
  let start = 0;
  while (start < dump.length) {
    let end = dump.indexOf(0x0a, start);
    if (end < 0) end = dump.length;
    const line = dump.subarray(start, end);
    start = end + 1;
    if (line.length === 0) {
      current = undefined;
    } else if (line.subarray(0, FILE_HEADER.length).equals(FILE_HEADER)) {
      const absolute = unescapeOctal(line.subarray(FILE_HEADER.length));
      const rel = absolute.equals(root) ? Buffer.from('/') : absolute.subarray(root.length);
      current = [];
      result.set(renderPath(rel), current);
    } else if (current) {
      const equals = line.lastIndexOf(0x3d);
      if (equals < 0) throw new Error(`getfattr: unexpected line ${JSON.stringify(line.toString())}`);
      const name = unescapeOctal(line.subarray(0, equals)).toString('utf8');
      current.push(`${name}=${line.subarray(equals + 1).toString('latin1')}`);
    }
  }
  return result;
}

/** Undoes getfattr's `\ooo` escapes, byte for byte. */
function unescapeOctal(raw: Buffer): Buffer {
  if (!raw.includes(0x5c)) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i += 1) {
    const octal = raw.subarray(i + 1, i + 4).toString('latin1');
    if (raw[i] === 0x5c && /^[0-7]{3}$/.test(octal)) {
      bytes.push(parseInt(octal, 8));
      i += 3;
    } else {
      bytes.push(raw[i] as number);
    }
  }
  return Buffer.from(bytes);
}

// Awkward files a capture must carry intact, and a deterministic ~1% change set for incremental tests.
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { chmod, chown, link, mkdir, rm, stat, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { run } from '../../src/infra/run.js';
import { absolutePath, walkTree } from './walk.js';

/** Where the special files live, relative to the tree root (outside /dev, /tmp, /run, /proc, /sys, /mnt, /media). */
export const SPECIAL_DIR = '/srv/special';

/** Paths (relative to the tree root) of what addSpecialFiles creates, for tests that poke at one. */
export const SPECIAL = {
  hardlinks: [`${SPECIAL_DIR}/hardlinks/a`, `${SPECIAL_DIR}/hardlinks/b`, `${SPECIAL_DIR}/hardlinks/c`],
  absoluteSymlink: `${SPECIAL_DIR}/symlink-absolute`,
  danglingSymlink: `${SPECIAL_DIR}/symlink-dangling`,
  sparse: `${SPECIAL_DIR}/sparse-1g.img`,
  xattr: `${SPECIAL_DIR}/with-xattr`,
  acl: `${SPECIAL_DIR}/with-acl`,
  defaultAclDir: `${SPECIAL_DIR}/with-default-acl`,
  setuid: `${SPECIAL_DIR}/setuid-program`,
  foreignOwner: `${SPECIAL_DIR}/owned-by-1234-5678`,
  foreignOwnerDir: `${SPECIAL_DIR}/dir-owned-by-1234-5678`,
  charDevice: `${SPECIAL_DIR}/char-device-1-3`,
  fifo: `${SPECIAL_DIR}/fifo`,
  spaces: `${SPECIAL_DIR}/name with  spaces `,
  newline: `${SPECIAL_DIR}/name with\nnewline`,
  emptyDirs: `${SPECIAL_DIR}/empty/nested/deeper`,
  incompressible: `${SPECIAL_DIR}/random-50m.bin`,
} as const;

/** A name that is not valid UTF-8 (a Latin-1 "café" plus a stray 0xff), relative to the tree root. */
export const NON_UTF8_NAME = Buffer.concat([Buffer.from(`${SPECIAL_DIR}/caf`), Buffer.from([0xe9, 0xff]), Buffer.from('.txt')]);

const MIB = 1024 * 1024;

/** Adds every special file under <root>/srv/special. Needs root (mknod, chown). */
export async function addSpecialFiles(root: string): Promise<void> {
  const at = (rel: string): string => join(root, rel);
  await mkdir(at(SPECIAL_DIR), { recursive: true });
  await mkdir(dirname(at(SPECIAL.hardlinks[0])), { recursive: true });

  await writeFile(at(SPECIAL.hardlinks[0]), 'one inode, three names\n');
  for (const other of SPECIAL.hardlinks.slice(1)) await link(at(SPECIAL.hardlinks[0]), at(other));
  await symlink(SPECIAL.hardlinks[0], at(SPECIAL.absoluteSymlink));
  await symlink('no/such/target', at(SPECIAL.danglingSymlink));

  // 1 GiB apparent, three 4 KiB islands of data.
  await writeFile(at(SPECIAL.sparse), '');
  await truncate(at(SPECIAL.sparse), 1024 * MIB);
  const sparse = openSync(at(SPECIAL.sparse), 'r+');
  try {
    for (const offset of [0, 512 * MIB, 1024 * MIB - 4096]) writeSync(sparse, randomBytes(4096), 0, 4096, offset);
  } finally {
    closeSync(sparse);
  }

  await writeFile(at(SPECIAL.xattr), 'has a user xattr\n');
  await run(['setfattr', '-n', 'user.sisuite.test', '-v', 'hello world', at(SPECIAL.xattr)]);
  await writeFile(at(SPECIAL.acl), 'has a POSIX ACL\n');
  await run(['setfacl', '-m', 'u:1234:rw-,g:5678:r--', at(SPECIAL.acl)]);
  await mkdir(at(SPECIAL.defaultAclDir));
  await run(['setfacl', '-d', '-m', 'u:1234:rwx', at(SPECIAL.defaultAclDir)]);

  await writeFile(at(SPECIAL.setuid), '#!/bin/sh\necho setuid\n');
  await chmod(at(SPECIAL.setuid), 0o4755);
  await writeFile(at(SPECIAL.foreignOwner), 'owned by nobody the tree knows\n');
  await chown(at(SPECIAL.foreignOwner), 1234, 5678);
  await mkdir(at(SPECIAL.foreignOwnerDir));
  await chown(at(SPECIAL.foreignOwnerDir), 1234, 5678);

  await run(['mknod', '-m', '0666', at(SPECIAL.charDevice), 'c', '1', '3']);
  await run(['mkfifo', '-m', '0644', at(SPECIAL.fifo)]);
  await writeFile(at(SPECIAL.spaces), 'spaces, two inside and one at the end\n');
  await writeFile(at(SPECIAL.newline), 'a newline in the name\n');
  await writeFile(absolutePath(root, NON_UTF8_NAME), 'a name that is not UTF-8\n');
  await mkdir(at(SPECIAL.emptyDirs), { recursive: true });

  const random = openSync(at(SPECIAL.incompressible), 'w');
  try {
    for (let i = 0; i < 50; i += 1) writeSync(random, randomBytes(MIB));
  } finally {
    closeSync(random);
  }
}

export interface ChangeSet {
  added: string[];
  removed: string[];
  changed: string[];
}

const CHANGE_LIMIT = 1024 * 1024;

/**
 * Changes a deterministic ~1% of the regular files (at least 3): removes one, chmods one, rewrites the
 * rest (half in place at the same size, half appended), and adds one file. Only single-link files up to
 * 1 MiB with plain UTF-8 names are touched, so every path in the result names exactly one file.
 */
export async function changeAboutOnePercent(root: string, { seed }: { seed: number }): Promise<ChangeSet> {
  const files = walkTree(root).filter(({ stats }) => stats.isFile());
  const eligible = files.filter(
    ({ stats, path }) => stats.nlink === 1n && stats.size <= BigInt(CHANGE_LIMIT) && !/[\\\x00-\x1f\x7f]/.test(path),
  );
  const count = Math.min(eligible.length, Math.max(3, Math.round(files.length / 100)));
  if (count < 3) throw new Error(`changeAboutOnePercent: only ${eligible.length} files can be changed under ${root}`);
  const random = mulberry32(seed);
  const picked = [...eligible];
  for (let i = 0; i < count; i += 1) {
    const j = i + Math.floor(random() * (picked.length - i));
    [picked[i], picked[j]] = [picked[j] as (typeof picked)[number], picked[i] as (typeof picked)[number]];
  }
  const [toRemove, toChmod, ...toRewrite] = picked.slice(0, count).map(({ path }) => path) as [string, string, ...string[]];

  await rm(join(root, toRemove));
  const mode = (await stat(join(root, toChmod))).mode & 0o7777;
  await chmod(join(root, toChmod), mode ^ 0o004);
  for (const [index, path] of toRewrite.entries()) await rewrite(join(root, path), { seed, inPlace: index % 2 === 0 });
  const added = `${dirname(toChmod).replace(/\/$/, '')}/added-by-seed-${seed}`;
  await writeFile(join(root, added), `added by changeAboutOnePercent, seed ${seed}\n`, { flag: 'wx' });

  return { added: [added], removed: [toRemove], changed: [toChmod, ...toRewrite].sort() };
}

/** Changes a file's content and makes sure its mtime moves too (rsync's quick check looks at size and mtime). */
async function rewrite(path: string, { seed, inPlace }: { seed: number; inPlace: boolean }): Promise<void> {
  const before = await stat(path);
  const fd = openSync(path, 'r+');
  try {
    if (inPlace && before.size > 0) {
      const first = Buffer.alloc(1);
      readSync(fd, first, 0, 1, 0);
      writeSync(fd, Buffer.from([(first[0] ?? 0) ^ 0xff]), 0, 1, 0);
    } else writeSync(fd, Buffer.from(`\nchanged by seed ${seed}\n`), 0, undefined, before.size);
  } finally {
    closeSync(fd);
  }
  const after = await stat(path);
  if (Math.floor(after.mtimeMs / 1000) === Math.floor(before.mtimeMs / 1000)) {
    await utimes(path, after.atime, new Date(Math.floor(before.mtimeMs / 1000) * 1000 + 2000));
  }
}

/** A small seeded PRNG: the same seed picks the same files. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

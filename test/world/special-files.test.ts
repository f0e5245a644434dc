// Special files exist as intended, and changeAboutOnePercent reports exactly what a digest sees.
import { mkdirSync, writeFileSync } from 'node:fs';
import { lstat, mkdtemp, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/infra/run.js';
import { compareDigests, ignoreDirectoryMtimes, treeDigest } from './digest.js';
import { addSpecialFiles, changeAboutOnePercent, NON_UTF8_NAME, SPECIAL } from './special-files.js';
import { absolutePath } from './walk.js';

describe('special files', () => {
  let work = '';
  const tree = (): string => join(work, 'tree');

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'si-special-'));
    await addSpecialFiles(tree());
    for (let d = 0; d < 6; d += 1) {
      mkdirSync(join(tree(), 'etc', `conf${d}.d`), { recursive: true });
      for (let f = 0; f < 80; f += 1) writeFileSync(join(tree(), 'etc', `conf${d}.d`, `item${f}.conf`), `setting ${d} ${f}\n`);
    }
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('creates every kind of awkward file', async () => {
    const at = (rel: string): string => join(tree(), rel);
    const digest = await treeDigest(tree());
    expect(new Set(SPECIAL.hardlinks.map((path) => digest.get(path)?.link))).toEqual(new Set([SPECIAL.hardlinks[0]]));
    expect(await readlink(at(SPECIAL.absoluteSymlink))).toBe(SPECIAL.hardlinks[0]);
    expect(digest.get(SPECIAL.danglingSymlink)?.type).toBe('symlink');
    const sparse = await lstat(at(SPECIAL.sparse));
    expect(sparse.size).toBe(1024 ** 3);
    expect(sparse.blocks * 512).toBeLessThan(1024 * 1024);
    expect(digest.get(SPECIAL.xattr)?.xattrs).toEqual([`user.sisuite.test=0x${Buffer.from('hello world').toString('hex')}`]);
    expect(digest.get(SPECIAL.acl)?.xattrs[0]).toMatch(/^system\.posix_acl_access=/);
    expect(digest.get(SPECIAL.defaultAclDir)?.xattrs[0]).toMatch(/^system\.posix_acl_default=/);
    expect(digest.get(SPECIAL.setuid)?.mode).toBe(0o4755);
    expect(digest.get(SPECIAL.foreignOwner)).toMatchObject({ uid: 1234, gid: 5678 });
    expect(digest.get(SPECIAL.charDevice)).toMatchObject({ type: 'char', rdev: (1 << 8) | 3 });
    expect(digest.get(SPECIAL.fifo)?.type).toBe('fifo');
    expect(digest.get(SPECIAL.newline.replace('\n', '\\x0a'))?.type).toBe('file');
    expect((await lstat(absolutePath(tree(), NON_UTF8_NAME))).isFile()).toBe(true);
    expect(digest.get(SPECIAL.emptyDirs)?.type).toBe('dir');
    expect(digest.get(SPECIAL.incompressible)?.size).toBe(50 * 1024 * 1024);
  });

  it('changes a deterministic ~1% of the files and reports exactly what changed', async () => {
    const original = join(work, 'original');
    await run(['cp', '-a', tree(), original]);
    const before = await treeDigest(original);
    const files = [...before.values()].filter((entry) => entry.type === 'file').length;

    const changes = await changeAboutOnePercent(tree(), { seed: 42 });
    expect(changes.added).toHaveLength(1);
    expect(changes.removed).toHaveLength(1);
    expect(changes.changed).toHaveLength(Math.max(3, Math.round(files / 100)) - 1);
    const seen = compareDigests(before, await treeDigest(tree()), { ignore: ignoreDirectoryMtimes });
    expect(seen.onlyInA).toEqual(changes.removed);
    expect(seen.onlyInB).toEqual(changes.added);
    expect(seen.differ.map((entry) => entry.path)).toEqual(changes.changed);
    expect(seen.differ.filter((entry) => entry.fields.includes('mode'))).toHaveLength(1);

    const again = await changeAboutOnePercent(original, { seed: 42 });
    expect(again).toEqual(changes);
  });
});

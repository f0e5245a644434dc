// Path rendering, getfattr parsing, and treeDigest on 20,000 real files with odd names.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/infra/run.js';
import { compareDigests, ignoreDirectoryMtimes, parseGetfattrDump, treeDigest } from './digest.js';
import { absolutePath, renderPath } from './walk.js';

describe('renderPath', () => {
  it('keeps valid UTF-8 readable and escapes backslash and control characters', () => {
    expect(renderPath(Buffer.from('/etc/café x'))).toBe('/etc/café x');
    expect(renderPath(Buffer.from('/a\\b\nc'))).toBe('/a\\x5cb\\x0ac');
  });

  it('escapes every non-ASCII byte of a name that is not UTF-8, so no two names render alike', () => {
    const latin1 = Buffer.concat([Buffer.from('/caf'), Buffer.from([0xe9])]);
    expect(renderPath(latin1)).toBe('/caf\\xe9');
    const mixed = Buffer.concat([Buffer.from('/é'), Buffer.from([0xff])]);
    expect(renderPath(mixed)).toBe('/\\xc3\\xa9\\xff');
    expect(renderPath(Buffer.from('/caf\\xe9'))).not.toBe(renderPath(latin1));
  });
});

describe('parseGetfattrDump', () => {
  it('undoes octal escapes in file and attribute names and keeps raw bytes', () => {
    const dump = Buffer.concat([
      Buffer.from('# file: /r\n'),
      Buffer.from('user.a=0x31\n\n'),
      Buffer.from('# file: /r/new\\012line\\134x\n'),
      Buffer.from('user.eq\\075sign=0x\nsystem.posix_acl_access=0x0200\n\n'),
      Buffer.from('# file: /r/bad'),
      Buffer.from([0xff]),
      Buffer.from('\nuser.b=0x32\n\n'),
    ]);
    expect(parseGetfattrDump(dump, Buffer.from('/r'))).toEqual(
      new Map([
        ['/', ['user.a=0x31']],
        ['/new\\x0aline\\x5cx', ['user.eq=sign=0x', 'system.posix_acl_access=0x0200']],
        ['/bad\\xff', ['user.b=0x32']],
      ]),
    );
  });
});

describe('treeDigest', () => {
  let root = '';
  const odd = Buffer.concat([Buffer.from('/odd\nname '), Buffer.from([0xfe])]);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'si-digest-test-'));
    for (let d = 0; d < 100; d += 1) {
      mkdirSync(join(root, `d${d}`));
      for (let f = 0; f < 200; f += 1) writeFileSync(join(root, `d${d}`, `f${f}`), `file ${d}/${f}\n`);
    }
    writeFileSync(absolutePath(root, odd), 'odd\n');
    // argv cannot carry non-UTF-8 bytes; setfattr --restore reads the name from a file, escapes as getfattr writes them.
    const restore = join(root, 'restore');
    const name = Buffer.from(absolutePath(root, odd).toString('latin1').replace('\n', '\\012'), 'latin1');
    writeFileSync(restore, Buffer.concat([Buffer.from('# file: '), name, Buffer.from('\nuser.odd=0x796573\n\n')]));
    await run(['setfattr', `--restore=${restore}`]);
    rmSync(restore);
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('digests 20,000 files and is stable', async () => {
    const first = await treeDigest(root);
    expect(first.size).toBe(1 + 100 + 20_000 + 1);
    expect(first.get('/d7/f9')).toMatchObject({ type: 'file', size: 'file 7/9\n'.length, uid: 0, xattrs: [] });
    expect(compareDigests(first, await treeDigest(root))).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
  });

  it('keeps a non-UTF-8 name with a newline, and lets a caller ignore directory mtimes', async () => {
    const before = await treeDigest(root, { exclude: (path) => path.startsWith('/d1') });
    expect(before.get('/odd\\x0aname \\xfe')?.xattrs).toEqual(['user.odd=0x796573']);
    expect([...before.keys()].some((path) => path.startsWith('/d1'))).toBe(false);
    writeFileSync(join(root, 'd0', 'new'), 'new\n');
    const after = await treeDigest(root, { exclude: (path) => path.startsWith('/d1') });
    const seen = compareDigests(before, after);
    expect(seen.onlyInB).toEqual(['/d0/new']);
    expect(seen.differ).toEqual([{ path: '/d0', fields: ['mtime'] }]);
    expect(compareDigests(before, after, { ignore: ignoreDirectoryMtimes }).differ).toEqual([]);
  });
});

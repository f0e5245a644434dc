// si image cp, mv, gc, rm and rollback on a real store: trees, links and registry rows move together.
import { mkdtempSync, rmSync, readlinkSync, statSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareDigests, treeDigest } from '../world/digest.js';
import { dumpRegistry, si, siOk } from '../support/si.js';
import { makeImage } from '../support/images.js';

describe('si image store operations', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'si-store-'));
    for (const n of [1, 2, 3, 4]) makeImage(home, 'base', { 'etc/hostname': 'golden\n', 'etc/version': `${n}\n` });
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('copies the current version into an independent image', async () => {
    await siOk(home, ['image', 'cp', 'base', 'copy']);
    expect(readlinkSync(join(home, 'images/copy'))).toBe('../versions/copy/1');
    const same = compareDigests(await treeDigest(join(home, 'versions/copy/1')), await treeDigest(join(home, 'versions/base/4')));
    expect(same).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
    // A full copy: no file shares an inode with the source, so changing one cannot change the other.
    expect(statSync(join(home, 'versions/copy/1/etc/version')).ino).not.toBe(statSync(join(home, 'versions/base/4/etc/version')).ino);
    const versions = await siOk<{ number: number; source: string }[]>(home, ['image', 'versions', 'copy', '--json']);
    expect(versions.map((v) => [v.number, v.source])).toEqual([[1, 'copy of base/4']]);
  });

  it('renames an image with its versions and link', async () => {
    await siOk(home, ['image', 'mv', 'base', 'renamed']);
    expect(existsSync(join(home, 'images/base'))).toBe(false);
    expect(readlinkSync(join(home, 'images/renamed'))).toBe('../versions/renamed/4');
    const images = await siOk<{ name: string; currentVersion: number; versions: number }[]>(home, ['image', 'list', '--json']);
    expect(images.map((i) => [i.name, i.currentVersion, i.versions])).toEqual([['renamed', 4, 4]]);
  });

  it('keeps the newest versions and the current one on gc, and never reuses a number', async () => {
    await siOk(home, ['image', 'rollback', 'base', '1']);
    const result = await siOk<{ removed: number[] }>(home, ['image', 'gc', 'base', '--keep', '2', '--json']);
    expect(result.removed).toEqual([2]);
    expect(readdirSync(join(home, 'versions/base')).filter((n) => !n.startsWith('.')).sort()).toEqual(['1', '3', '4']);
    makeImage(home, 'base', { 'etc/version': '5\n' });
    const versions = await siOk<{ number: number; current: boolean }[]>(home, ['image', 'versions', 'base', '--json']);
    expect(versions.map((v) => [v.number, v.current])).toEqual([
      [1, false],
      [3, false],
      [4, false],
      [5, true],
    ]);
  });

  it('removes an image, its versions and its link', async () => {
    await siOk(home, ['image', 'rm', 'base']);
    expect(existsSync(join(home, 'versions/base'))).toBe(false);
    expect(existsSync(join(home, 'images/base'))).toBe(false);
    expect(await siOk<unknown[]>(home, ['image', 'list', '--json'])).toEqual([]);
  });

  it('repairs images/NAME when the registry moved on but the link switch did not happen', async () => {
    // As after a crash between the commit and the link switch: the registry says 4, the link says 2.
    rmSync(join(home, 'images/base'));
    const { symlinkSync } = await import('node:fs');
    symlinkSync('../versions/base/2', join(home, 'images/base'));
    await siOk(home, ['image', 'list']);
    expect(readlinkSync(join(home, 'images/base'))).toBe('../versions/base/4');
  });

  it('changes nothing on rm --dry-run and gc --dry-run, and lists what would go', async () => {
    const before = { registry: dumpRegistry(home), tree: await treeDigest(home, { exclude: (p) => p.startsWith('/sisuite.db') }) };
    const gc = await siOk<{ removed: number[]; dryRun: boolean }>(home, ['image', 'gc', 'base', '--keep', '2', '--dry-run', '--json']);
    expect(gc).toEqual({ image: 'base', removed: [1, 2], dryRun: true });
    expect(await siOk(home, ['image', 'gc', 'base', '--keep', '2', '--dry-run'])).toBe('base: dry run: would remove versions 1, 2\n');
    const rm = await siOk<{ versions: number[]; paths: string[]; dryRun: boolean }>(home, ['image', 'rm', 'base', '--dry-run', '--json']);
    expect(rm).toMatchObject({ image: 'base', registered: true, versions: [1, 2, 3, 4], dryRun: true });
    expect(rm.paths).toEqual([join(home, 'images/base'), join(home, 'versions/base')]);
    expect(await siOk(home, ['image', 'rm', 'base', '--dry-run'])).toBe('dry run: would remove image base and all its versions (1, 2, 3, 4)\n');
    const after = { registry: dumpRegistry(home), tree: await treeDigest(home, { exclude: (p) => p.startsWith('/sisuite.db') }) };
    expect(after.registry).toEqual(before.registry);
    // The home's own mtime moves when SQLite creates and removes its WAL files beside the database.
    const ignore = (path: string, field: string) => path === '/' && field === 'mtime';
    expect(compareDigests(after.tree, before.tree, { ignore })).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
    // And without --dry-run they do what they listed.
    expect((await siOk<{ removed: number[] }>(home, ['image', 'gc', 'base', '--keep', '2', '--json'])).removed).toEqual([1, 2]);
  });

  it('shows the progress of image cp as plain lines when not on a terminal', async () => {
    const result = await si(home, ['image', 'cp', 'base', 'copy']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^copying base to copy\.\.\.$/m);
    expect(result.stderr).toMatch(/^ {2}100% {2}\S+/m);
    expect(result.stdout).toBe('copied base to copy (version 1)\n');
  });

  it('says the names are the same on mv X X, and changes nothing', async () => {
    const before = dumpRegistry(home);
    const result = await si(home, ['image', 'mv', 'base', 'base']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe('si: the source and destination are both base: give a new name for the image\n');
    expect(dumpRegistry(home)).toEqual(before);
  });
});

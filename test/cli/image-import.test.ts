// si image import / export on a real store: OCI layouts and docker archives built here with GNU tar, their
// layers applied with whiteouts; root tarball round trips; bad input refused with one line, store unchanged.
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, startProcess } from '../../src/infra/run.js';
import { eventually } from '../support/wait.js';
import { compareDigests, treeDigest, type DigestEntry } from '../world/digest.js';
import { snapshot } from '../support/fs-state.js';
import { makeImageFromTree } from '../support/images.js';
import { addSpecialFiles } from '../world/special-files.js';
import { dumpRegistry, ensureBuilt, PROJECT, si, siOk } from '../support/si.js';

const TAR = ['tar', '--create', '--format=posix', '--xattrs', '--xattrs-include=*', '--numeric-owner'];

function file(root: string, rel: string, content: string, mode = 0o644): string {
  const full = join(root, rel);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, content);
  chmodSync(full, mode);
  return full;
}

async function blob(layout: string, data: Buffer): Promise<{ digest: string; size: number }> {
  const hex = createHash('sha256').update(data).digest('hex');
  mkdirSync(join(layout, 'blobs/sha256'), { recursive: true });
  writeFileSync(join(layout, 'blobs/sha256', hex), data);
  return { digest: `sha256:${hex}`, size: data.length };
}

/** Layer one: a base tree. Layer two: deletes /etc/doomed by whiteout, makes /opt/old opaque, changes a file. */
async function buildLayers(work: string): Promise<{ layer1: string; layer2: string }> {
  const one = join(work, 'l1');
  file(one, 'etc/hostname', 'base\n');
  file(one, 'etc/doomed', 'to be whited out\n');
  file(one, 'usr/bin/suid', '#!/bin/sh\n', 0o4755);
  const owned = file(one, 'srv/owned', 'mine\n', 0o640);
  chownSync(owned, 1234, 5678);
  await run(['setfattr', '-n', 'user.si', '-v', '1', owned]);
  file(one, 'opt/old/a', 'a\n');
  file(one, 'opt/old/b', 'b\n');
  symlinkSync('hostname', join(one, 'etc/name-link'));
  const two = join(work, 'l2');
  file(two, 'etc/hostname', 'layer two\n');
  file(two, 'etc/.wh.doomed', '');
  file(two, 'opt/old/.wh..wh..opq', '');
  file(two, 'opt/old/c', 'c\n');
  const layer1 = join(work, 'layer1.tar.gz');
  const layer2 = join(work, 'layer2.tar');
  await run([...TAR, '--gzip', '--file', layer1, '--directory', one, '.']);
  await run([...TAR, '--file', layer2, '--directory', two, '.']);
  return { layer1, layer2 };
}

async function buildOciLayout(work: string, layers: { layer1: string; layer2: string }): Promise<string> {
  const layout = join(work, 'oci');
  mkdirSync(layout, { recursive: true });
  writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const config = await blob(layout, Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'));
  const l1 = await blob(layout, readFileSync(layers.layer1));
  const l2 = await blob(layout, readFileSync(layers.layer2));
  const manifest = await blob(
    layout,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [
          { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...l1 },
          { mediaType: 'application/vnd.oci.image.layer.v1.tar', ...l2 },
        ],
      }),
    ),
  );
  writeFileSync(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest }] }));
  return layout;
}

async function buildDockerArchive(work: string, layers: { layer1: string; layer2: string }): Promise<string> {
  const dir = join(work, 'docker');
  mkdirSync(join(dir, 'one'), { recursive: true });
  mkdirSync(join(dir, 'two'), { recursive: true });
  writeFileSync(join(dir, 'one/layer.tar'), readFileSync(layers.layer1));
  writeFileSync(join(dir, 'two/layer.tar'), readFileSync(layers.layer2));
  writeFileSync(join(dir, 'config.json'), '{}');
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify([{ Config: 'config.json', RepoTags: ['test:1'], Layers: ['one/layer.tar', 'two/layer.tar'] }]));
  const archive = join(work, 'saved.tar');
  await run(['tar', '--create', '--file', archive, '--directory', dir, '.']);
  return archive;
}

const pick = (entry: DigestEntry | undefined) => entry && { type: entry.type, mode: entry.mode.toString(8), uid: entry.uid, gid: entry.gid, xattrs: entry.xattrs };

describe('si image import and export', () => {
  let work: string;
  let home: string;
  let oci: string;
  let docker: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'si-imageio-'));
    home = join(work, 'home');
    const layers = await buildLayers(work);
    oci = await buildOciLayout(work, layers);
    docker = await buildDockerArchive(work, layers);
  }, 60_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('applies a two-layer OCI layout: whiteouts, opaque directories, setuid, owners and xattrs kept', async () => {
    const result = await siOk<{ version: number }>(home, ['image', 'import', 'oci', '--oci', oci, '--json']);
    expect(result.version).toBe(1);
    const root = join(home, 'versions/oci/1');
    const digest = await treeDigest(root);
    expect([...digest.keys()].sort()).toEqual(['/', '/etc', '/etc/hostname', '/etc/name-link', '/opt', '/opt/old', '/opt/old/c', '/srv', '/srv/owned', '/usr', '/usr/bin', '/usr/bin/suid']);
    expect(readFileSync(join(root, 'etc/hostname'), 'utf8')).toBe('layer two\n');
    expect(pick(digest.get('/usr/bin/suid'))).toEqual({ type: 'file', mode: '4755', uid: 0, gid: 0, xattrs: [] });
    expect(pick(digest.get('/srv/owned'))).toEqual({ type: 'file', mode: '640', uid: 1234, gid: 5678, xattrs: ['user.si=0x31'] });
    expect(digest.get('/etc/name-link')?.target).toBe('hostname');
    const images = await siOk<{ name: string; currentVersion: number }[]>(home, ['image', 'list', '--json']);
    expect(images.map((i) => [i.name, i.currentVersion])).toEqual([['oci', 1]]);
  });

  it('gives the same tree from a docker archive of the same layers', async () => {
    await siOk(home, ['image', 'import', 'docker', '--docker-archive', docker]);
    expect(compareDigests(await treeDigest(join(home, 'versions/docker/1')), await treeDigest(join(home, 'versions/oci/1')))).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
  });

  it('imports into an existing image as a new version whose unchanged files are hard links to the previous one', async () => {
    const result = await siOk<{ version: number; previous: number }>(home, ['image', 'import', 'oci', '--oci', oci, '--json']);
    expect([result.version, result.previous]).toEqual([2, 1]);
    for (const rel of ['etc/hostname', 'srv/owned', 'usr/bin/suid']) expect(statSync(join(home, 'versions/oci/2', rel)).ino).toBe(statSync(join(home, 'versions/oci/1', rel)).ino);
  });

  it.each(['tar.zst', 'tar.gz', 'tar'])('round-trips export then import (.%s) to the same tree digest', async (suffix) => {
    const out = join(work, `export.${suffix}`);
    await siOk(home, ['image', 'export', 'oci', out, '--image-version', '1']);
    expect(existsSync(`${out}.tmp`)).toBe(false);
    const name = `trip-${suffix.replace('.', '-')}`;
    await siOk(home, ['image', 'import', name, '--archive', out]);
    expect(compareDigests(await treeDigest(join(home, `versions/${name}/1`)), await treeDigest(join(home, 'versions/oci/1')))).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
  });

  it('round-trips awkward files: devices, fifos, ACLs, hard links, sparse files, non-UTF-8 names', async () => {
    const tree = join(work, 'special');
    mkdirSync(tree, { recursive: true });
    await addSpecialFiles(tree);
    // A home of its own: the bad-input cases below snapshot the store by UTF-8 names.
    const own = join(work, 'home-special');
    makeImageFromTree(own, 'special', tree);
    const out = join(work, 'special.tar.zst');
    await siOk(own, ['image', 'export', 'special', out]);
    await siOk(own, ['image', 'import', 'special-back', '--archive', out]);
    expect(compareDigests(await treeDigest(join(own, 'versions/special-back/1')), await treeDigest(join(own, 'versions/special/1')))).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
  });

  it('never follows a lower layer\'s symlink out of the tree when applying a whiteout', async () => {
    const dir = join(work, 'escape');
    const outside = file(dir, 'outside/keep', 'server file\n');
    const one = join(dir, 'l1');
    mkdirSync(one, { recursive: true });
    symlinkSync(join(dir, 'outside'), join(one, 'etc'));
    file(dir, 'l2/etc/.wh.keep', '');
    const layer1 = join(dir, 'layer1.tar');
    const layer2 = join(dir, 'layer2.tar');
    await run([...TAR, '--file', layer1, '--directory', one, '.']);
    await run([...TAR, '--file', layer2, '--directory', join(dir, 'l2'), '.']);
    const layout = await buildOciLayout(dir, { layer1, layer2 });
    await siOk(home, ['image', 'import', 'escape', '--oci', layout]);
    expect(readFileSync(outside, 'utf8')).toBe('server file\n');
    expect(statSync(join(home, 'versions/escape/1/etc')).isDirectory()).toBe(true);
    expect(readdirSync(join(home, 'versions/escape/1/etc'))).toEqual([]);
  });

  it('removes a stopped import and makes no version (SIGINT while it unpacks)', async () => {
    // Big enough that tar is still writing when the signal lands: 256 MiB in 32 files.
    const tree = join(work, 'big');
    const chunk = Buffer.alloc(8 << 20, 1);
    for (let i = 0; i < 32; i++) file(tree, `data/f${i}`, chunk.toString('latin1'));
    const archive = join(work, 'big.tar');
    await run(['tar', '--create', '--file', archive, '--directory', tree, '.']);
    rmSync(tree, { recursive: true, force: true });
    const before = { registry: dumpRegistry(home), tree: snapshot(join(home, 'versions')) };
    await ensureBuilt();
    const importing = startProcess([`${PROJECT}bin/si`, '--home', home, 'image', 'import', 'oci', '--archive', archive], { env: { SI_HOME: undefined } });
    await eventually('the import to start unpacking', () => existsSync(join(home, 'versions/oci/.unpack/tree/data')), 60_000);
    importing.signal('SIGINT');
    const exit = await importing.exited;
    expect(exit.exitCode).toBe(130);
    expect(importing.stderrTail().trim()).toBe('si: si image import was stopped: the partial import of oci was removed and no version was made');
    expect(dumpRegistry(home)).toEqual(before.registry);
    expect(snapshot(join(home, 'versions'))).toEqual(before.tree);
  }, 120_000);

  describe('bad input: one line, exit 2, store unchanged', () => {
    const notOci = () => {
      const dir = join(work, 'plain-dir');
      mkdirSync(dir, { recursive: true });
      return dir;
    };
    const garbage = () => file(work, 'garbage.tar.gz', 'this is not gzip\n');
    /** A copy of the good layout with its first layer's blob removed, or replaced by bytes that are no tar. */
    const brokenOci = (how: 'missing' | 'corrupt') => {
      const dir = join(work, `oci-${how}`);
      rmSync(dir, { recursive: true, force: true });
      cpSync(oci, dir, { recursive: true });
      const manifest = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).manifests[0].digest.slice(7);
      const layer = JSON.parse(readFileSync(join(dir, 'blobs/sha256', manifest), 'utf8')).layers[0].digest.slice(7);
      if (how === 'missing') rmSync(join(dir, 'blobs/sha256', layer));
      else writeFileSync(join(dir, 'blobs/sha256', layer), 'not a tar layer\n'.repeat(100));
      return dir;
    };
    const cases: Array<[string, () => string[], RegExp]> = [
      ['a missing archive', () => ['--archive', join(work, 'missing.tar')], /^si: no such file or directory: .*missing\.tar: give the path/],
      ['a directory that is not an OCI layout', () => ['--oci', notOci()], /^si: .*plain-dir is not an OCI image layout/],
      ['an unknown compression', () => ['--archive', file(work, 'root.tar.xz', 'x')], /^si: cannot tell the compression of .*root\.tar\.xz: name it FILE\.tar/],
      ['a corrupt archive', () => ['--archive', garbage()], /^si: .*garbage\.tar\.gz is not a readable root tarball: /],
      ['an OCI layout missing a layer', () => ['--oci', brokenOci('missing')], /^si: .*oci-missing lacks its layer blobs\/sha256\/[0-9a-f]{64}: copy the image again/],
      ['an OCI layout with a corrupt layer', () => ['--oci', brokenOci('corrupt')], /^si: layer 1 \([0-9a-f]{64}\) is not a readable tar layer: /],
      ['two sources', () => ['--archive', garbage(), '--oci', oci], /^si: give exactly one of --archive FILE, --oci DIR or --docker-archive FILE$/],
    ];
    it.each(cases)('%s', async (_what, args, message) => {
      const before = { registry: dumpRegistry(home), tree: snapshot(join(home, 'versions')) };
      const digest = await treeDigest(join(home, 'versions/oci/2'));
      const result = await si(home, ['image', 'import', 'oci', ...args()]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr.trim()).toMatch(message);
      expect(dumpRegistry(home)).toEqual(before.registry);
      expect(snapshot(join(home, 'versions'))).toEqual(before.tree);
      expect(compareDigests(await treeDigest(join(home, 'versions/oci/2')), digest)).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
    });

    it('refuses an export into a missing directory or of an unknown version, one line each', async () => {
      const missing = await si(home, ['image', 'export', 'oci', join(work, 'no-such-dir/out.tar')]);
      expect([missing.exitCode, missing.stderr.trim()]).toEqual([2, `si: cannot write ${join(work, 'no-such-dir/out.tar')} (ENOENT): give a path in an existing, writable directory`]);
      const version = await si(home, ['image', 'export', 'oci', join(work, 'v9.tar'), '--image-version', '9']);
      expect(version.exitCode).toBe(2);
      expect(version.stderr.trim()).toMatch(/^si: image oci has no version 9 \(it has 1, 2\): see 'si image versions oci'$/);
      expect(existsSync(join(work, 'v9.tar.tmp'))).toBe(false);
    });

    it('refuses an export with an unknown suffix and writes nothing', async () => {
      const result = await si(home, ['image', 'export', 'oci', join(work, 'out.zip')]);
      expect([result.exitCode, result.stderr.trim()]).toEqual([2, `si: cannot tell the compression of ${join(work, 'out.zip')}: name it FILE.tar, FILE.tar.gz or FILE.tar.zst`]);
      expect(readdirSync(work).filter((n) => n.startsWith('out.'))).toEqual([]);
    });
  });
});

// si configure from the registry: --plan on an image, --root on real bookworm trees, refusals.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minbaseTree } from '../world/debootstrap-cache.js';
import { compareDigests, treeDigest } from '../world/digest.js';
import { run } from '../../src/infra/run.js';
import { dumpRegistry, si, siOk } from '../support/si.js';
import { makeImageFromTree } from '../support/images.js';

const GOLDEN_ID = '0123456789abcdef0123456789abcdef\n';
const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');

describe('si configure', () => {
  let work: string;
  let home: string;
  let golden: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'si-configure-'));
    home = join(work, 'home');
    golden = join(work, 'golden');
    await minbaseTree(golden);
    writeFileSync(join(golden, 'etc/machine-id'), GOLDEN_ID);
    writeFileSync(join(golden, 'etc/hostname'), 'golden\n');
    const image = join(work, 'image');
    await run(['cp', '-a', golden, image]);
    makeImageFromTree(home, 'bookworm', image);
    const macs = join(work, 'macs.csv');
    writeFileSync(macs, 'node01,52:54:00:aa:00:01\nnode02,52:54:00:aa:00:02\n');
    await siOk(home, ['addclients', '--hosts', 'node[01-02]', '--ip', '10.40.0.11', '--gateway', '10.40.0.1', '--domain', 'lab.test', '--image', 'bookworm', '--macs', macs]);
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('prints the plan of a registry host for an image, without changing the image', async () => {
    const before = await treeDigest(join(home, 'versions/bookworm/1'));
    const plan = JSON.parse(await siOk<string>(home, ['configure', '--image', 'bookworm', '--host', 'node01', '--plan'])) as {
      host: string;
      stages: { stage: string; footprints: string[] }[];
    };
    expect(plan.host).toBe('node01');
    const footprints = Object.fromEntries(plan.stages.map((s) => [s.stage, s.footprints]));
    expect(footprints.network).toContain('ifupdown');
    expect(compareDigests(await treeDigest(join(home, 'versions/bookworm/1')), before)).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
  });

  it('makes two copies of the tree into two distinct hosts; a second run changes nothing', async () => {
    const roots: string[] = [];
    for (const host of ['node01', 'node02']) {
      const root = join(work, host);
      await run(['cp', '-a', golden, root]);
      await siOk(home, ['configure', '--root', root, '--host', host, '--stages', 'identity,hostname,network,fstab']);
      roots.push(root);
    }
    const [one, two] = roots as [string, string];
    expect(read(one, 'etc/hostname')).toBe('node01\n');
    expect(read(two, 'etc/hostname')).toBe('node02\n');
    expect(read(one, 'etc/hosts')).toMatch(/node01\.lab\.test/);
    expect(read(one, 'etc/network/interfaces')).toContain('10.40.0.11');
    expect(read(two, 'etc/network/interfaces')).toContain('10.40.0.12');
    const ids = [read(one, 'etc/machine-id'), read(two, 'etc/machine-id')];
    expect(new Set([...ids, GOLDEN_ID]).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}\n$/);
    const keys = [one, two, golden].map((root) => read(root, 'etc/ssh/ssh_host_ed25519_key.pub'));
    expect(new Set(keys).size).toBe(3);
    // The network file parses with ifupdown's own reader, inside the tree.
    const listed = await run(['chroot', one, 'ifquery', '--list', '--allow', 'auto']);
    expect(listed.stdout.split('\n')).toContain('lo');
    // The fstab holds the UUIDs the host's install layout gives it: the same on every run.
    const fstab = read(one, 'etc/fstab');
    expect(fstab).toMatch(/^UUID=[0-9a-f-]{36}\s+\/\s+ext4/m);
    const digest = await treeDigest(one);
    const again = await si(home, ['configure', '--root', one, '--host', 'node01', '--stages', 'identity,hostname,network,fstab', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).changes.filter((c: { action: string }) => c.action !== 'command')).toEqual([]);
    expect(compareDigests(await treeDigest(one), digest)).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
  });

  it('refuses an unknown host, an unknown stage, a root that is no directory or no system, writing nothing', async () => {
    const empty = join(work, 'empty');
    await run(['mkdir', '-p', join(empty, 'etc')]);
    const file = join(work, 'a-file');
    writeFileSync(file, 'x');
    const target = join(work, 'target');
    await run(['cp', '-a', golden, target]);
    const before = await treeDigest(target);
    const registry = dumpRegistry(home);
    const cases: [string[], RegExp][] = [
      [['configure', '--root', target, '--host', 'node99'], /no client named node99/],
      [['configure', '--root', target, '--host', 'node01', '--stages', 'hostname,bogus'], /unknown stage "?bogus"?/],
      [['configure', '--root', file, '--host', 'node01'], /is not a directory/],
      [['configure', '--root', join(work, 'missing'), '--host', 'node01'], /is not a directory/],
      [['configure', '--root', empty, '--host', 'node01'], /os-release|recognisable|no system/i],
    ];
    for (const [args, message] of cases) {
      const result = await si(home, args);
      expect(result.exitCode, args.join(' ')).not.toBe(0);
      const lines = result.stderr.trim().split('\n');
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    }
    expect(compareDigests(await treeDigest(target), before)).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
    expect(existsSync(join(empty, 'etc/hostname'))).toBe(false);
    expect(dumpRegistry(home)).toEqual(registry);
  });
});

// si getimage into an SI_HOME on a small real filesystem (a tmpfs of the test's own) that fills up mid-copy.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readlinkSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from '../world/netns.js';
import { minbaseTree } from '../world/debootstrap-cache.js';
import { startGoldenClient, type GoldenClient } from '../world/golden-client.js';
import { capture, run } from '../../src/infra/run.js';
import { dumpRegistry, si, siOk } from '../support/si.js';

describe('si getimage on a full SI_HOME', () => {
  let world: World;
  let golden: GoldenClient;
  let work: string;
  let tree: string;
  let home: string;
  let mounted = false;

  const getimage = (image: string) => ['getimage', '--golden-client', golden.host, '--image', image, '--ssh-key', golden.keyPath, '--json'];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'si-space-'));
    tree = join(work, 'golden');
    home = join(work, 'home');
    await minbaseTree(tree);
    for (const file of ['var/log/wtmp', 'var/log/btmp', 'var/log/lastlog']) await rm(join(tree, file), { force: true });
    // Room for one copy of the tree and 60 MB more: a second capture that adds 150 MB cannot fit.
    const treeMegabytes = Number((await run(['du', '-sx', '-B1M', tree])).stdout.split(/\s/)[0]);
    await mkdir(home);
    await run(['mount', '-t', 'tmpfs', '-o', `size=${treeMegabytes + 60}m`, 'si-test-home', home]);
    mounted = true;
    world = await createWorld({ prefix: 'sisp' });
    golden = await startGoldenClient({ ns: world.client, root: tree });
  }, 300_000);

  afterAll(async () => {
    await golden?.stop();
    await world?.destroy();
    if (mounted) await unmount(home);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('says how much space is free, removes the partial copy and changes nothing; a later capture works', async () => {
    const first = await siOk<{ version: number }>(home, getimage('base'), { ns: world.server });
    expect(first.version).toBe(1);
    const registry = dumpRegistry(home);

    await writeFile(join(tree, 'srv/fill.bin'), Buffer.alloc(150 * 2 ** 20, 7));
    const result = await si(home, getimage('base'), { ns: world.server });
    expect(result.exitCode, result.stderr).not.toBe(0);
    expect(result.exitCode).not.toBeNull();
    const errors = result.stderr.trim().split('\n').filter((line) => line.startsWith('si: '));
    expect(errors, result.stderr).toHaveLength(1);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(errors[0]);
    const match = /^si: no space left on SI_HOME \S+ \((\d+) MB free after removing the partial copy\): free space there/.exec(errors[0] ?? '');
    expect(match, errors[0]).not.toBeNull();
    // The number is the filesystem's free space now (nothing else writes there).
    const freeNow = Math.floor((Number(statfsSync(home).bavail) * Number(statfsSync(home).bsize)) / 1e6);
    expect(Math.abs(Number(match?.[1]) - freeNow)).toBeLessThanOrEqual(2);
    expect(Number(match?.[1])).toBeGreaterThan(40);

    expect(readdirSync(join(home, 'versions/base')).sort()).toEqual(['1']);
    expect(readlinkSync(join(home, 'images/base'))).toBe('../versions/base/1');
    expect(dumpRegistry(home)).toEqual(registry);
    expect(await world.server.processes()).toEqual([]);

    await rm(join(tree, 'srv/fill.bin'));
    await writeFile(join(tree, 'srv/small.bin'), Buffer.alloc(2 ** 20, 9));
    const later = await siOk<{ version: number }>(home, getimage('base'), { ns: world.server });
    expect(later.version).toBe(2);
    expect(existsSync(join(home, 'versions/base/2/srv/small.bin'))).toBe(true);
    expect(existsSync(join(home, 'versions/base/.incoming'))).toBe(false);
  }, 600_000);
});

/** Unmounts the test's tmpfs; a process still closing files there makes umount fail for a moment (bounded). */
async function unmount(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if ((await capture(['umount', dir])).exitCode === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await run(['umount', '--lazy', dir]);
}

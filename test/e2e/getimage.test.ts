// si getimage against a real golden client: its own sshd, chrooted, in a network namespace.
import { mkdtemp, rm, writeFile, readFile, stat } from 'node:fs/promises';
import { existsSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from '../world/netns.js';
import { minbaseTree } from '../world/debootstrap-cache.js';
import { startGoldenClient, type GoldenClient } from '../world/golden-client.js';
import { addSpecialFiles, changeAboutOnePercent, SPECIAL } from '../world/special-files.js';
import { compareDigests, treeDigest, type Digest } from '../world/digest.js';
import { walkTree } from '../world/walk.js';
import { spawnDaemon } from '../world/daemon.js';
import { waitFor } from '../support/wait.js';
import { dumpRegistry, ensureBuilt, PROJECT, si, siOk } from '../support/si.js';

const EXCLUDED = /^\/(proc|sys|dev|run|tmp|mnt|media)\//;
// The mount points themselves take their attributes from what is mounted on the golden client.
const MOUNT_POINTS = new Set(['/proc', '/sys', '/run']);
const excludedFromSource = (path: string) => EXCLUDED.test(path) || MOUNT_POINTS.has(path) || path.endsWith('/lost+found');
const excludedFromImage = (path: string) => MOUNT_POINTS.has(path);

function expectSameTree(a: Digest, b: Digest): void {
  const comparison = compareDigests(a, b);
  expect(comparison.onlyInA.slice(0, 20)).toEqual([]);
  expect(comparison.onlyInB.slice(0, 20)).toEqual([]);
  expect(comparison.differ.slice(0, 20)).toEqual([]);
}

describe('si getimage', () => {
  let world: World;
  let golden: GoldenClient;
  let work: string;
  let tree: string;
  let home: string;
  let capture: (image: string, extra?: string[]) => Promise<{ version: number; files: number }>;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'si-getimage-'));
    tree = join(work, 'golden');
    home = join(work, 'home');
    await minbaseTree(tree);
    await addSpecialFiles(tree);
    // Login records would change while the capture runs; a golden client without them stays still.
    for (const file of ['var/log/wtmp', 'var/log/btmp', 'var/log/lastlog']) await rm(join(tree, file), { force: true });
    world = await createWorld({ prefix: 'sigi' });
    golden = await startGoldenClient({ ns: world.client, root: tree });
    capture = async (image, extra = []) => {
      const summary = await siOk<{ version: number; files: number }>(
        home,
        ['getimage', '--golden-client', golden.host, '--image', image, '--ssh-key', golden.keyPath, '--json', ...extra],
        { ns: world.server },
      );
      // Nothing stays behind: the ssh connection rsync shared is closed with the capture.
      expect(await world.server.processes()).toEqual([]);
      return summary;
    };
  });

  afterAll(async () => {
    await golden?.stop();
    await world?.destroy();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('captures a tree whose digest equals the golden client, special files included', async () => {
    const summary = await capture('gold');
    expect(summary.version).toBe(1);
    expect(readlinkSync(join(home, 'images', 'gold'))).toBe('../versions/gold/1');
    const image = realpathSync(join(home, 'images', 'gold'));
    expectSameTree(await treeDigest(image, { exclude: excludedFromImage }), await treeDigest(tree, { exclude: excludedFromSource }));
    // Sparse stays sparse: 1 GiB apparent, almost nothing allocated.
    const sparse = await stat(join(image, SPECIAL.sparse));
    expect(sparse.size).toBe(1024 * 1024 * 1024);
    expect(sparse.blocks * 512).toBeLessThan(1024 * 1024);
    // The excluded directories exist, empty, so the installed system has its mount points.
    for (const dir of ['proc', 'sys', 'dev', 'run', 'tmp']) expect(walkTree(join(image, dir)).map((e) => e.path), dir).toEqual(['/']);
    // The layout travelled with the image and is in the registry; the host keys are recorded for replacement.
    const layout = JSON.parse(await readFile(join(image, 'etc/sisuite/layout.json'), 'utf8'));
    expect(layout.filesystems.find((f: { mountpoint: string }) => f.mountpoint === '/')).toBeTruthy();
    const shown = await siOk<{ current: { layout: { identity: { sshHostKeys: { publicKey: string }[] } } } }>(home, ['image', 'show', 'gold', '--json']);
    const recorded = shown.current.layout.identity.sshHostKeys.map((k) => k.publicKey);
    expect(recorded.sort()).toEqual(golden.hostPublicKeys.map((k) => k.split(/\s+/).slice(0, 2).join(' ')).sort());
    // Trust on first use: the key is now in SI_HOME/known_hosts.
    expect(await readFile(join(home, 'known_hosts'), 'utf8')).toContain(golden.host);
  });

  it('re-captures about 1% changed files as a new version sharing unchanged inodes; diff and rollback agree', async () => {
    const before = await treeDigest(join(home, 'versions/gold/1'), { exclude: excludedFromImage });
    // Data files only: a rewritten library or sshd binary would take the golden client down.
    const inShare = await changeAboutOnePercent(join(tree, 'usr/share'), { seed: 7 });
    const under = (paths: string[]) => paths.map((p) => `/usr/share${p}`);
    const changes = { added: under(inShare.added), removed: under(inShare.removed), changed: under(inShare.changed) };
    const summary = await capture('gold');
    expect(summary.version).toBe(2);
    const v1 = join(home, 'versions/gold/1');
    const v2 = join(home, 'versions/gold/2');
    expectSameTree(await treeDigest(v2, { exclude: excludedFromImage }), await treeDigest(tree, { exclude: excludedFromSource }));

    const touched = new Set([...changes.added, ...changes.changed, ...changes.removed]);
    const inodes = new Map(walkTree(v1).filter((e) => e.stats.isFile()).map((e) => [e.path, e.stats.ino]));
    let shared = 0;
    for (const entry of walkTree(v2).filter((e) => e.stats.isFile() && !touched.has(e.path))) {
      expect(entry.stats.ino, entry.path).toBe(inodes.get(entry.path));
      shared += 1;
    }
    expect(shared).toBeGreaterThan(1000);

    const diff = await siOk<{ added: string[]; removed: string[]; changed: string[] }>(home, ['image', 'diff', 'gold', '1', '2', '--json']);
    expect({ added: diff.added, removed: diff.removed, changed: diff.changed }).toEqual({
      added: [...changes.added].sort(),
      removed: [...changes.removed].sort(),
      changed: [...changes.changed].sort(),
    });

    await siOk(home, ['image', 'rollback', 'gold']);
    expect(readlinkSync(join(home, 'images/gold'))).toBe('../versions/gold/1');
    expectSameTree(await treeDigest(realpathSync(join(home, 'images/gold')), { exclude: excludedFromImage }), before);
    const versions = await siOk<{ number: number; current: boolean }[]>(home, ['image', 'versions', 'gold', '--json']);
    expect(versions.map((v) => [v.number, v.current])).toEqual([
      [1, true],
      [2, false],
    ]);
    await siOk(home, ['image', 'rollback', 'gold', '2']);
  });

  it('leaves the current version untouched when rsync is killed midway, and the next capture succeeds', async () => {
    const current = await treeDigest(realpathSync(join(home, 'images/gold')), { exclude: excludedFromImage });
    const registry = dumpRegistry(home);
    // Enough new data that the copy is still running when it is interrupted.
    await writeFile(join(tree, 'srv/bulk.bin'), Buffer.alloc(400 * 1024 * 1024, 7));
    const incoming = join(home, 'versions/gold/.incoming');
    const running = si(home, ['getimage', '--golden-client', golden.host, '--image', 'gold', '--ssh-key', golden.keyPath], { ns: world.server });
    const killed = await killRsyncWhenItWrites(incoming, join(incoming, 'srv'));
    const result = await running;
    expect(killed).toBe(true);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^si: rsync .*; the partial copy in \S+\/versions\/gold\/\.incoming is kept and the next capture of gold resumes from it$/);
    expect(await world.server.processes()).toEqual([]);
    expect(readlinkSync(join(home, 'images/gold'))).toBe('../versions/gold/2');
    expectSameTree(await treeDigest(realpathSync(join(home, 'images/gold')), { exclude: excludedFromImage }), current);
    expect(dumpRegistry(home)).toEqual(registry);

    const summary = await capture('gold');
    expect(summary.version).toBe(3);
    expectSameTree(await treeDigest(realpathSync(join(home, 'images/gold')), { exclude: excludedFromImage }), await treeDigest(tree, { exclude: excludedFromSource }));
    expect(existsSync(incoming)).toBe(false);
  });

  it('resumes from the partial copy of a capture killed with -9 (si and its children), and says so on --dry-run', async () => {
    const registry = dumpRegistry(home);
    await writeFile(join(tree, 'srv/bulk2.bin'), Buffer.alloc(400 * 1024 * 1024, 5));
    const incoming = join(home, 'versions/gold/.incoming');
    await ensureBuilt();
    const argv = [`${PROJECT}bin/si`, '--home', home, 'getimage', '--golden-client', golden.host, '--image', 'gold', '--ssh-key', golden.keyPath];
    const running = spawnDaemon(['ip', 'netns', 'exec', world.server.name, ...argv]);
    try {
      expect(await waitFor(() => existsSync(join(incoming, 'srv')), 60_000), running.output()).toBe(true);
      process.kill(-running.pid, 'SIGKILL');
      await running.exited;
    } finally {
      await running.stop();
    }
    expect(existsSync(incoming)).toBe(true);
    expect(dumpRegistry(home)).toEqual(registry);
    expect(readlinkSync(join(home, 'images/gold'))).toBe('../versions/gold/3');

    const planned = await siOk<{ plan: { resumesPartialCopy: boolean; destination: string } }>(
      home,
      ['getimage', '--golden-client', golden.host, '--image', 'gold', '--ssh-key', golden.keyPath, '--dry-run', '--json'],
      { ns: world.server },
    );
    expect(planned.plan).toEqual(expect.objectContaining({ resumesPartialCopy: true, destination: incoming }));
    const summary = await capture('gold');
    expect(summary.version).toBe(4);
    expectSameTree(await treeDigest(realpathSync(join(home, 'images/gold')), { exclude: excludedFromImage }), await treeDigest(tree, { exclude: excludedFromSource }));
    expect(existsSync(incoming)).toBe(false);
  });

  it('a re-capture that changes nothing makes no version and says so; --always makes one sharing every file', async () => {
    const registry = dumpRegistry(home);
    const entries = readdirSync(join(home, 'versions/gold')).sort();
    const result = await si(home, ['getimage', '--golden-client', golden.host, '--image', 'gold', '--ssh-key', golden.keyPath], { ns: world.server });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe('no changes since version 4\n');
    expect(dumpRegistry(home)).toEqual(registry);
    expect(readdirSync(join(home, 'versions/gold')).sort()).toEqual(entries);
    expect(await world.server.processes()).toEqual([]);

    const forced = await capture('gold', ['--always']);
    expect(forced.version).toBe(5);
    const inodes = new Map(walkTree(join(home, 'versions/gold/4')).filter((e) => e.stats.isFile()).map((e) => [e.path, e.stats.ino]));
    const fresh = walkTree(join(home, 'versions/gold/5')).filter((e) => e.stats.isFile() && inodes.get(e.path) !== e.stats.ino);
    expect(fresh.map((e) => e.path)).toEqual([]);
  });
});


/** Polls (every 20 ms, at most 60 s) until rsync has started writing into `marker`, then kills that rsync. */
async function killRsyncWhenItWrites(incoming: string, marker: string): Promise<boolean> {
  const { run } = await import('../../src/infra/run.js');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (existsSync(marker)) {
      await run(['pkill', '-KILL', '-f', `${incoming}/`], { okExitCodes: [1] });
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

// bench/capture: si getimage against plain `rsync -aHAXS --numeric-ids` over the same ssh, same run.
// Target: ratio si/rsync at most 1.05. Also prints a no-change re-capture against the full one (target <= 0.3).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createWorld, type World } from '../test/world/netns.js';
import { minbaseTree } from '../test/world/debootstrap-cache.js';
import { startGoldenClient, type GoldenClient } from '../test/world/golden-client.js';
import { siOk } from '../test/support/si.js';
import { buildRsyncArgv } from '../src/infra/rsync/argv.js';
import { DEFAULT_EXCLUDES } from '../src/core/capture/excludes.js';
import { run } from '../src/infra/run.js';

// The tree: 20,000 files on a minbase system. SI_BENCH_FILES and SI_BENCH_ROUNDS try other sizes.
const FILES = Number(process.env.SI_BENCH_FILES ?? 20_000);
const ROUNDS = Number(process.env.SI_BENCH_ROUNDS ?? 9);
// The golden tree, si's image store and rsync's copies live on a tmpfs of the bench's own: there the copy is
// as fast as this machine gets, so si's fixed costs weigh the most, and the disk's swings (copy times of the
// same tree vary twofold from run to run here) stay out of the ratio. SI_BENCH_DIR runs on a disk instead.
const PLACE = process.env.SI_BENCH_DIR;

let world: World;
let golden: GoldenClient;
let work: string;
let tmpfs: string | undefined;

beforeAll(async () => {
  if (PLACE) {
    work = await mkdtemp(join(PLACE, 'si-bench-'));
  } else {
    // Room for every round's two copies (~0.4 GB each); tmpfs takes memory only for what is written.
    tmpfs = await mkdtemp(join(tmpdir(), 'si-bench-tmpfs-'));
    await run(['mount', '-t', 'tmpfs', '-o', 'size=16g,mode=0755', 'tmpfs', tmpfs]);
    work = tmpfs;
  }
  const tree = join(work, 'golden');
  await minbaseTree(tree);
  await addFiles(join(tree, 'srv/bench'), FILES);
  world = await createWorld({ prefix: 'sibc' });
  golden = await startGoldenClient({ ns: world.client, root: tree });
});

afterAll(async () => {
  await golden?.stop();
  await world?.destroy();
  if (work && work !== tmpfs) await rm(work, { recursive: true, force: true });
  if (tmpfs) {
    await run(['umount', tmpfs]);
    await rm(tmpfs, { recursive: true, force: true });
  }
});

it(`captures a tree with ${FILES} extra files: si getimage against plain rsync`, async () => {
  const home = join(work, 'home');
  const knownHosts = join(work, 'known_hosts');
  // Both sides start knowing the golden client's host keys: plain rsync, checking strictly, could not
  // learn them, and si's first meeting with a host (trust on first use over ssh2) happens once per host.
  const hostKeys = await readFile(golden.knownHostsPath);
  await writeFile(knownHosts, hostKeys);
  await mkdir(home, { recursive: true });
  await writeFile(join(home, 'known_hosts'), hostKeys);
  const siTimes: number[] = [];
  const rsyncTimes: number[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    // Alternate the order so that neither side always runs on a warmer cache.
    const order = round % 2 === 1 ? ['rsync', 'si'] : ['si', 'rsync'];
    for (const tool of order) {
      if (tool === 'si') siTimes.push(await timeSi(home, `bench${round}`));
      else rsyncTimes.push(await timeRsync(join(work, `plain${round}`), knownHosts));
    }
  }
  const si = median(siTimes);
  const rsync = median(rsyncTimes);
  // Each round's two runs share the machine's state (page cache, writeback): compare them pairwise.
  const pairRatio = median(siTimes.map((t, i) => t / (rsyncTimes[i] ?? t)));
  const unchanged = await timeSi(home, 'bench1');
  // What the change check costs when there is a change: a re-capture with one file changed, against the
  // same re-capture forced with --always (no check: the copy alone).
  await writeFile(join(work, 'golden/srv/bench/d0/f0'), 'changed\n');
  const changed = await timeSi(home, 'bench1');
  await writeFile(join(work, 'golden/srv/bench/d0/f0'), 'changed again\n');
  const forced = await timeSi(home, 'bench1', ['--always']);
  process.stdout.write(
    [
      '',
      `bench/capture: ${FILES} extra files + a Debian minbase tree, median of ${ROUNDS}, on ${PLACE ?? 'tmpfs'}`,
      `  si getimage (full)       ${si.toFixed(2)} s   runs ${siTimes.map((t) => t.toFixed(2)).join(' ')}`,
      `  rsync -aHAXS (full)      ${rsync.toFixed(2)} s   runs ${rsyncTimes.map((t) => t.toFixed(2)).join(' ')}`,
      `  ratio si/rsync           ${pairRatio.toFixed(3)}   (median of per-round ratios; target <= 1.05)`,
      `  si re-capture, no change ${unchanged.toFixed(2)} s   ratio to the full capture ${(unchanged / si).toFixed(3)} (target <= 0.3; no version made)`,
      `  si re-capture, 1 changed ${changed.toFixed(2)} s   (change check + copy); with --always (copy alone) ${forced.toFixed(2)} s`,
      '',
    ].join('\n'),
  );
  expect(si).toBeGreaterThan(0);
});

/** Written data of the previous run is flushed first, so that its writeback is not charged to this one. */
async function settle(): Promise<void> {
  await run(['sync']);
}

async function timeSi(home: string, image: string, extra: string[] = []): Promise<number> {
  await settle();
  const started = performance.now();
  const summary = await siOk<{ connectSeconds: number; copySeconds: number }>(
    home,
    ['getimage', '--golden-client', golden.host, '--image', image, '--ssh-key', golden.keyPath, '--json', ...extra],
    { ns: world.server },
  );
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`  si ${image}: ${seconds.toFixed(2)} s (connect ${summary.connectSeconds.toFixed(2)} s, copy ${summary.copySeconds.toFixed(2)} s)\n`);
  return seconds;
}

async function timeRsync(destination: string, knownHosts: string): Promise<number> {
  await mkdir(destination, { recursive: true });
  await settle();
  const argv = buildRsyncArgv({
    source: `root@${golden.host}:/`,
    destination: `${destination}/`,
    preserveAll: true,
    excludes: DEFAULT_EXCLUDES,
    ssh: { port: golden.port, keyPath: golden.keyPath, knownHostsFile: knownHosts },
  });
  const started = performance.now();
  await world.server.run(argv);
  return (performance.now() - started) / 1000;
}

/** FILES small files of 1-16 KiB in 100 directories, deterministic content. */
async function addFiles(root: string, count: number): Promise<void> {
  for (let dir = 0; dir < 100; dir += 1) await mkdir(join(root, `d${dir}`), { recursive: true });
  for (let i = 0; i < count; i += 1) {
    const size = 1024 * (1 + (i % 16));
    await writeFile(join(root, `d${i % 100}`, `f${i}`), Buffer.alloc(size, i % 251));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

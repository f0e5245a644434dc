// bench/pushupdate: si pushupdate --parallel 16 on N installed clients against what an administrator would
// otherwise run: a serial loop of plain rsync over ssh from the server, with the same excludes, doing the same
// update on every client. Both start from the same version and end at the same one, measured in the same run.
// Target: si/serial at most 0.25. SI_BENCH_CLIENTS (default 50, as the issue asks) tries fewer.
import { readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { versionDir } from '../src/core/home.js';
import { buildRsyncArgv } from '../src/core/rsync/argv.js';
import { parseExcludeFile, updateExcludes } from '../src/core/updates/excludes.js';
import { run } from '../src/infra/run.js';
import { createFleet, type Fleet, type FleetClient } from '../test/e2e/pushupdate-fleet.js';
import { bookwormTree } from '../test/infra/configure/bookworm-tree.js';
import { si } from '../test/support/si.js';

const CLIENTS = Number(process.env.SI_BENCH_CLIENTS ?? 50);
const PARALLEL = 16;

let fleet: Fleet;

beforeAll(async () => {
  const started = performance.now();
  fleet = await createFleet({
    prefix: 'pubc',
    count: CLIENTS,
    setup: async (tree) => {
      await bookwormTree(tree);
      writeFileSync(join(tree, 'etc/machine-id'), '0123456789abcdef0123456789abcdef\n');
      mkdirSync(join(tree, 'srv/data'), { recursive: true });
      await run(['dd', 'if=/dev/urandom', `of=${join(tree, 'srv/data/big.bin')}`, 'bs=1M', 'count=20', 'status=none']);
    },
  });
  process.stdout.write(`  ${CLIENTS} clients installed in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  // First contact (trust on first use) and image-version on every client, outside the measurement.
  const first = await si(fleet.paths.home, ['pushupdate', '--group', 'all', '--no-bootloader', '--parallel', String(PARALLEL), '--json'], { ns: fleet.world.server });
  expect(first.exitCode, first.stderr).toBe(0);
}, 3_600_000);

afterAll(async () => {
  await fleet?.destroy();
}, 600_000);

it(`updates ${CLIENTS} clients: si pushupdate --parallel ${PARALLEL} against a serial loop of rsync over ssh`, async () => {
  const from = fleet.currentVersion();
  // The update: 4 MiB added, a block inside a 20 MiB file, config files changed, a directory of docs removed.
  await fleet.newVersion(async (tree) => {
    await run(['dd', 'if=/dev/urandom', `of=${join(tree, 'srv/data/new.bin')}`, 'bs=1M', 'count=4', 'status=none']);
    await run(['dd', 'if=/dev/urandom', `of=${join(tree, 'srv/data/big.bin')}`, 'bs=4096', 'count=1', 'seek=777', 'conv=notrunc', 'status=none']);
    for (const name of ['etc/motd', 'etc/issue', 'etc/debian_version']) writeFileSync(join(tree, name), `changed for the bench\n`);
    rmSync(join(tree, 'usr/share/doc/apt'), { recursive: true, force: true });
  });
  const to = fleet.currentVersion();
  await fleet.served();

  // The serial loop first (from -> to), then every client back to `from` (not timed), then si (from -> to).
  const serial = await timed(async () => {
    for (const client of fleet.clients) await plainRsync(client, to);
  });
  for (const client of fleet.clients) await plainRsync(client, from);
  let result: Awaited<ReturnType<typeof si>> | undefined;
  const push = await timed(async () => {
    result = await si(fleet.paths.home, ['pushupdate', '--group', 'all', '--no-bootloader', '--parallel', String(PARALLEL), '--json'], { ns: fleet.world.server });
  });
  expect(result?.exitCode, result?.stderr).toBe(0);
  const rows = (JSON.parse(result?.stdout ?? '{}') as { hosts: { result: string; version: string; bytesReceived: number | null; stages?: string[] | null }[] }).hosts;
  expect(rows.every((r) => r.result === 'ok' && r.version === String(to))).toBe(true);
  const bytes = rows.map((r) => r.bytesReceived ?? 0);
  // Which configure stages the clients re-ran: only those whose inputs the update touched (docs/updates.md).
  const stages = [...new Set(rows.map((r) => (r.stages ?? ['(not said)']).join(',') || 'none'))].join(' / ');
  process.stdout.write(
    [
      '',
      `bench/pushupdate: ${CLIENTS} clients (Debian minbase + 20 MiB file), update of ${from} -> ${to}, same run`,
      `  serial loop of rsync -aHAXS --delete over ssh   ${serial.toFixed(1)} s   (${(serial / CLIENTS).toFixed(2)} s a client)`,
      `  si pushupdate --parallel ${PARALLEL}                   ${push.toFixed(1)} s   (configure stages re-run: ${stages})`,
      `  ratio si/serial                                 ${(push / serial).toFixed(3)}   (target <= 0.25)`,
      `  bytes received a client (si)                    min ${Math.min(...bytes)} max ${Math.max(...bytes)}`,
      `  cores busy (of ${cpus().length}, whole machine)         serial ${busy[0]?.toFixed(2)}, si ${busy[1]?.toFixed(2)}`,
      '',
    ].join('\n'),
  );
});

/** What an administrator would type per host: rsync of the version's tree over ssh, the update's excludes. */
async function plainRsync(client: FleetClient, version: number): Promise<void> {
  const excludes = updateExcludes({
    host: parseExcludeFile(readFileSync(join(client.root, 'etc/sisuite/updateclient.exclude'), 'utf8')),
    local: parseExcludeFile(readFileSync(join(client.root, 'etc/sisuite/updateclient.local.exclude'), 'utf8')),
  });
  const argv = buildRsyncArgv({
    source: `${versionDir(fleet.paths, fleet.image, version)}/`,
    destination: `root@${client.record.ip}:/`,
    preserveAll: true,
    delete: true,
    keepExcluded: true,
    excludes,
    ssh: { port: 22, keyPath: fleet.paths.sshKey, knownHostsFile: fleet.paths.knownHosts },
  });
  const done = await fleet.world.server.run(argv, { timeout: 600_000 });
  if (done.exitCode !== 0) throw new Error(`rsync to ${client.record.hostname} failed: ${done.stderr}`);
}

/** Wall time of `work`, and how many of the machine's cores were busy meanwhile (all processes: /proc/stat). */
async function timed(work: () => Promise<void>): Promise<number> {
  await run(['sync']);
  const before = cpuTicks();
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const after = cpuTicks();
  busy.push((after.busy - before.busy) / Math.max(1, after.total - before.total) * cpus().length);
  return seconds;
}

const busy: number[] = [];

function cpuTicks(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  // idle and iowait are the columns 4 and 5.
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

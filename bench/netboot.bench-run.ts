// bench/netboot: the boot server under a boot storm. N machines (default 200, SI_BENCH_CLIENTS) boot at once,
// each a network namespace of its own doing what a PXE client does (DHCP, TFTP of the loader, HTTP of
// boot.ipxe, its per-MAC script, the installer's kernel and initrd), against the real `si netboot serve` and,
// in the same run, against what a user would set up instead: plain dnsmasq + python3 -m http.server.
// Prints the time until all have their files, per-client p50/p95, failures (must be 0) and the server's CPU
// per client; SI_BENCH_ROUNDS (default 2) rounds of each, alternating which server goes first.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TFTP_MAX } from '../src/core/netboot/serve-plan.js';
import { makeImage } from '../test/support/images.js';
import { ensureBuilt, siOk } from '../test/support/si.js';
import { createWorld, type World } from '../test/world/netns.js';
import { addBootClients, bootAll, percentile, type BootClient, type BootServer, type RoundResult } from './netboot-clients.js';
import { cpuSpent, LOADER, machineBusySeconds, namespaceCpu, startPlainServer, startSiServe, type Cpu, type RunningServer } from './netboot-servers.js';

const CLIENTS = Number(process.env.SI_BENCH_CLIENTS ?? 200);
const ROUNDS = Number(process.env.SI_BENCH_ROUNDS ?? 2);
// All at once by default; a smaller SI_BENCH_PARALLEL boots them in waves.
const PARALLEL = Number(process.env.SI_BENCH_PARALLEL ?? CLIENTS);
// The hand-made dnsmasq gets si's tftp-max, so that the ratio weighs the servers, not a default;
// SI_BENCH_PLAIN_TFTP_MAX=50 shows dnsmasq's own default in the same storm.
const PLAIN_TFTP_MAX = Number(process.env.SI_BENCH_PLAIN_TFTP_MAX ?? TFTP_MAX);
// The sizes of a Debian installer kernel and of si mkinstaller's initrd.
const KERNEL_BYTES = 8 << 20;
const cpus = availableParallelism();
const INITRD_BYTES = 18 << 20;

let world: World;
let work: string;
let home: string;
let clients: BootClient[];
let namespaceSeconds: number;

beforeAll(async () => {
  if (!Number.isInteger(CLIENTS) || CLIENTS < 1 || CLIENTS > 240) throw new Error('SI_BENCH_CLIENTS: give 1 to 240 (one /24 holds the world)');
  await ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'si-bench-netboot-'));
  home = join(work, 'home');
  world = await createWorld({ prefix: 'sibn' });
  const started = performance.now();
  clients = await addBootClients(world, CLIENTS);
  namespaceSeconds = (performance.now() - started) / 1000;

  makeImage(home, 'bookworm');
  writeFileSync(join(work, 'macs.csv'), clients.map((c) => `${c.host},${c.mac}\n`).join(''));
  const last = clients.at(-1)!.host;
  await siOk(home, ['addclients', '--hosts', `node[001-${last.slice(4)}]`, '--ip', clients[0]!.ip, '--image', 'bookworm', '--macs', join(work, 'macs.csv')]);
  // Stand-ins for the installer: random bytes of the real sizes.
  const boot = join(home, 'boot/x86_64/debian');
  mkdirSync(boot, { recursive: true });
  writeFileSync(join(boot, 'kernel'), randomBytes(KERNEL_BYTES));
  writeFileSync(join(boot, 'initrd.img'), randomBytes(INITRD_BYTES));
  mkdirSync(join(work, 'scratch'));
}, 20 * 60_000);

afterAll(async () => {
  await world?.destroy();
  if (work) rmSync(work, { recursive: true, force: true });
}, 10 * 60_000);

interface Measured extends RoundResult {
  cpu: Map<string, Cpu>;
  /** CPU seconds the whole machine was busy meanwhile (the clients, the server, and whatever else runs). */
  machineBusy: number;
}

it(`${CLIENTS} machines boot at once: si netboot serve against plain dnsmasq + python3 -m http.server`, async () => {
  const boot = join(home, 'boot/x86_64/debian');
  const target: BootServer = {
    base: `http://${world.server.address}`,
    tftpServer: world.server.address,
    loader: readFileSync(LOADER),
    files: new Map([
      ['/boot/x86_64/debian/kernel', join(boot, 'kernel')],
      ['/boot/x86_64/debian/initrd.img', join(boot, 'initrd.img')],
    ]),
    scratch: join(work, 'scratch'),
  };
  const si: Measured[] = [];
  const plain: Measured[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    // Alternate the order so that neither side always runs second (warmer caches, a quieter machine).
    const order = round % 2 === 1 ? ['si', 'plain'] : ['plain', 'si'];
    for (const which of order) {
      if (which === 'si') si.push(await measure(() => startSiServe(world, home), target));
      else plain.push(await measure(() => startPlainServer(world, { dir: join(work, `plain${round}`), bootDir: boot, clients, tftpMax: PLAIN_TFTP_MAX }), target));
    }
  }
  // A round with failures did less work: the ratios take the clean rounds only.
  const clean = (rounds: Measured[]) => rounds.filter((r) => r.failures.length === 0);
  const siWall = median(clean(si).map((r) => r.wallSeconds));
  const plainWall = median(clean(plain).map((r) => r.wallSeconds));
  const siCpu = median(clean(si).map(totalCpu));
  const plainCpu = median(clean(plain).map(totalCpu));
  const mib = (KERNEL_BYTES + INITRD_BYTES) / 2 ** 20;
  process.stdout.write(
    [
      '',
      `bench/netboot: ${CLIENTS} clients, ${PARALLEL >= CLIENTS ? 'all at once' : `${PARALLEL} at a time`}, each DHCP + TFTP undionly.kpxe + HTTP boot.ipxe, per-MAC script, kernel ${KERNEL_BYTES >> 20} MiB, initrd ${INITRD_BYTES >> 20} MiB; ${ROUNDS} round(s), median of the rounds without failures; plain dnsmasq tftp-max=${PLAIN_TFTP_MAX}`,
      `  ${CLIENTS} client namespaces created in ${namespaceSeconds.toFixed(1)} s (${((namespaceSeconds / CLIENTS) * 1000).toFixed(0)} ms each, one after the other)`,
      ...[...si.map((r, i) => row(`si netboot serve #${i + 1}`, r)), ...plain.map((r, i) => row(`dnsmasq + http.server #${i + 1}`, r))],
      `  all clients served: si ${siWall.toFixed(1)} s, plain ${plainWall.toFixed(1)} s: ratio si/plain ${ratio(siWall, plainWall)} (${((CLIENTS * mib) / siWall).toFixed(0)} MiB/s of installer through si)`,
      `  server CPU per client: si ${((siCpu / CLIENTS) * 1000).toFixed(1)} ms, plain ${((plainCpu / CLIENTS) * 1000).toFixed(1)} ms: ratio ${ratio(siCpu, plainCpu)}`,
      '',
    ].join('\n'),
  );
  for (const result of [...si, ...plain]) expect(result.perClient).toHaveLength(CLIENTS - result.failures.length);
  expect(si.flatMap((r) => r.failures)).toEqual([]);
});

/** One round against one server: started, the server namespace's CPU read before and after, stopped. */
async function measure(start: () => Promise<RunningServer>, target: BootServer): Promise<Measured> {
  const server = await start();
  try {
    const before = await namespaceCpu(world.server);
    const busyBefore = machineBusySeconds();
    const result = await bootAll(clients, target, PARALLEL);
    const machineBusy = machineBusySeconds() - busyBefore;
    const cpu = cpuSpent(before, await namespaceCpu(world.server));
    process.stdout.write(`  ${server.name}: ${result.wallSeconds.toFixed(1)} s, ${result.failures.length} failed${result.failures.length ? `: ${result.failures.slice(0, 3).join(' | ')}` : ''}\n`);
    return { ...result, cpu, machineBusy };
  } finally {
    await server.stop();
  }
}

function row(name: string, r: Measured): string {
  const cpu = [...r.cpu].filter(([, c]) => c.user + c.system > 0).map(([comm, c]) => `${comm} ${c.user.toFixed(2)} user + ${c.system.toFixed(2)} sys`).join(', ');
  return [
    `  ${name.padEnd(26)} all ${r.wallSeconds.toFixed(1).padStart(5)} s  p50 ${percentile(r.perClient, 50).toFixed(1)} s  p95 ${percentile(r.perClient, 95).toFixed(1)} s  failed ${r.failures.length}`,
    `  ${''.padEnd(26)} server CPU ${totalCpu(r).toFixed(2)} s (${cpu}); machine busy ${r.machineBusy.toFixed(1)} CPU-s of ${(r.wallSeconds * cpus).toFixed(1)}`,
  ].join('\n');
}

/** a/b, or why there is none: both sides need a round without failures. */
function ratio(a: number, b: number): string {
  return a > 0 && b > 0 ? (a / b).toFixed(2) : 'none (no round without failures on one side)';
}

function totalCpu(r: Measured): number {
  return [...r.cpu.values()].reduce((sum, c) => sum + c.user + c.system, 0);
}

/** The middle value; of an even count, the mean of the two middle ones. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

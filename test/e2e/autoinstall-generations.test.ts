// Scripts are published as one generation. `si mkautoinstallscript` for 5,000 clients, whose layout differs
// from the served generation's, is killed with SIGKILL at 20 points spread over its real run (10 at
// fractions of its measured duration, 10 on observed progress: files appearing in the generation being
// built); after each kill the real rsync daemon, in a network namespace, serves host scripts that all agree
// with the master it serves. The render after a kill removes what the killed one left; every fourth one runs
// to its end (a full render costs the most here). A transfer that is running while scripts/ switches keeps
// reading the generation it started in.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homePaths, type HomePaths } from '../../src/core/home.js';
import { runRsyncDaemon, writeRsyncdConf } from '../../src/infra/rsyncd/index.js';
import { capture } from '../../src/infra/run.js';
import { createRenderer } from '../../src/infra/templates.js';
import { materializeRoot } from '../fixtures/roots/materialize.js';
import { FIXTURE_ROOTS } from '../fixtures/roots/trees.js';
import { waitForModules } from '../infra/rsyncd/rsyncd-fixtures.js';
import { makeImageFromTree } from '../support/images.js';
import { PROJECT, si, siOk } from '../support/si.js';
import { spawnDaemon } from '../world/daemon.js';
import { createWorld, type World } from '../world/netns.js';

const HOSTS = 5000;
const KILLS = 20;
/** Two filesystems (swap, ext4 /) and three (ext4 /boot, xfs /, ext4 /srv): a host script of one cannot install with the master of the other. */
const LAYOUTS = {
  two: { disks: [{ select: 'first', table: 'gpt', partitions: [{ size: '1MiB', type: 'bios_grub' }, { size: '256MiB', type: 'swap' }, { size: 'rest', filesystem: { type: 'ext4', mount: '/' } }] }] },
  three: {
    disks: [
      {
        select: 'first',
        table: 'msdos',
        partitions: [
          { size: '256MiB', bootable: true, filesystem: { type: 'ext4', mount: '/boot' } },
          { size: '60%', filesystem: { type: 'xfs', mount: '/' } },
          { size: 'rest', filesystem: { type: 'ext4', mount: '/srv' } },
        ],
      },
    ],
  },
};
type LayoutName = keyof typeof LAYOUTS;
const FILESYSTEMS: Record<LayoutName, number> = { two: 2, three: 3 };

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('scripts published as one generation, through kill -9 and the rsync daemon', () => {
  let work: string;
  let home: string;
  let paths: HomePaths;
  let world: World;
  const controller = new AbortController();
  let daemon: Promise<void> | undefined;
  let daemonError: unknown;
  let layout: LayoutName = 'two';
  let fetches = 0;

  const generationsDir = () => join(home, 'script-generations');
  const partials = () => readdirSync(generationsDir()).filter((name) => name.startsWith('.partial-'));
  const setLayout = async (name: LayoutName) => {
    await siOk(home, ['layout', 'set', '--image', 'img', '--file', join(work, `${name}.json`)]);
    layout = name;
  };
  const renderArgv = [`${PROJECT}bin/si`, '--home', '', 'mkautoinstallscript', '--image', 'img'];

  /** What the daemon serves, fetched in one connection from the client namespace. */
  const fetchServed = async (extra: string[] = []): Promise<string> => {
    fetches += 1;
    const dest = join(work, `fetch-${fetches}`);
    const result = await world.client.run(['rsync', '-a', ...extra, `rsync://${world.server.address}/scripts/`, `${dest}/`], { timeout: 120_000 });
    expect(result.exitCode, `${result.stderr}\ndaemon: ${String(daemonError ?? 'running')}`).toBe(0);
    return dest;
  };

  /** Every host script names the master's id and sets one UUID per filesystem the master makes; returns the master's. */
  const checkAgreement = (dir: string): { id: string; filesystems: number; hosts: number } => {
    const master = readFileSync(join(dir, 'img.master'), 'utf8');
    const id = /^SI_MASTER_ID=(\w+)$/m.exec(master)?.[1] ?? '(none)';
    const filesystems = [...master.matchAll(/^\tsi_mkfs /gm)].length;
    const disagree: string[] = [];
    const hosts = readdirSync(dir).filter((name) => name.endsWith('.sh') && name !== 'install.sh');
    for (const name of hosts) {
      const text = readFileSync(join(dir, name), 'utf8');
      const hostId = /^SI_HOST_MASTER_ID=(\w+)$/m.exec(text)?.[1];
      const uuids = [...text.matchAll(/^SI_FS_UUID_\d+=/gm)].length;
      if (hostId !== id || uuids !== filesystems) disagree.push(`${name}: master ${hostId ?? '(none)'} with ${uuids} UUIDs`);
    }
    expect(disagree.slice(0, 5), `${disagree.length} host scripts disagree with master ${id} (${filesystems} filesystems)`).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
    return { id, filesystems, hosts: hosts.length };
  };

  /** A render run to its end, timed. */
  const renderFully = async (): Promise<number> => {
    const started = performance.now();
    const result = await si(home, ['mkautoinstallscript', '--image', 'img'], { timeout: 300_000 });
    expect(result.exitCode, result.stderr).toBe(0);
    return performance.now() - started;
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'si-gen-e2e-'));
    home = join(work, 'home');
    paths = homePaths(home);
    renderArgv[2] = home;
    for (const [name, document] of Object.entries(LAYOUTS)) writeFileSync(join(work, `${name}.json`), JSON.stringify(document));
    const tree = materializeRoot(FIXTURE_ROOTS[0]!, join(work, 'tree'));
    mkdirSync(home);
    makeImageFromTree(home, 'img', tree);
    const macs = Array.from({ length: HOSTS }, (_, i) => {
      const n = (i + 1).toString(16).padStart(4, '0');
      return `node${String(i + 1).padStart(4, '0')},52:54:00:10:${n.slice(0, 2)}:${n.slice(2)}`;
    });
    writeFileSync(join(work, 'macs.csv'), `hostname,mac\n${macs.join('\n')}\n`);
    await siOk(home, ['addclients', '--hosts', `node[0001-${HOSTS}]`, '--ip', '10.50.0.10', '--netmask', '16', '--image', 'img', '--macs', join(work, 'macs.csv')]);
    await setLayout('two');

    world = await createWorld({ prefix: 'gen' });
    const renderer = createRenderer({ siteDir: paths.templates });
    daemon = runRsyncDaemon({
      paths,
      // Before the first render si rsyncd makes scripts/ a plain directory: the render adopts it.
      reload: () => writeRsyncdConf({ paths, renderer, clients: [{ ip: world.client.address, netmask: '255.255.255.0' }], images: ['img'] }),
      signal: controller.signal,
      wrapper: ['ip', 'netns', 'exec', world.server.name],
      pollMs: 1000,
    });
    daemon.catch((error: unknown) => (daemonError = error));
    await waitForModules(`rsync://${world.server.address}/`, { prefix: ['ip', 'netns', 'exec', world.client.name], want: 'scripts' });
    await renderFully();
  }, 300_000);

  afterAll(async () => {
    controller.abort();
    await daemon?.catch(() => undefined);
    await world?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it(`serves host scripts that agree with the master after kill -9 at ${KILLS} points of a ${HOSTS}-client render`, async () => {
    const first = checkAgreement(await fetchServed());
    expect(first).toMatchObject({ filesystems: 2, hosts: HOSTS });
    // The duration of a render after a layout change, measured here, on this machine as busy as it is now.
    await setLayout('three');
    const duration = await renderFully();
    const outcomes: string[] = [];
    let served = 'three' as LayoutName;
    for (let round = 0; round < KILLS; round += 1) {
      // Each killed render has a layout other than the served generation's, as in the report.
      if (layout === served) await setLayout(layout === 'two' ? 'three' : 'two');
      const render = spawnDaemon(renderArgv);
      const step = Math.floor(round / 2);
      if (round % 2 === 0) {
        // At a fraction of the measured duration: start-up, planning, rendering, writing, switching.
        const until = performance.now() + ((step + 0.5) / (KILLS / 2)) * duration;
        while (render.running() && performance.now() < until) await delay(5);
      } else {
        // On progress: once the generation being built holds a share of the host scripts.
        const want = ((step + 1) / (KILLS / 2 + 1)) * HOSTS;
        const until = performance.now() + 4 * duration + 20_000;
        for (;;) {
          if (!render.running() || performance.now() > until) break;
          const partial = partials()[0];
          if (partial !== undefined && safeCount(join(generationsDir(), partial)) >= want) break;
          await delay(5);
        }
      }
      const wasRunning = render.running();
      if (wasRunning) process.kill(render.pid, 'SIGKILL');
      const exit = await Promise.race([render.exited, delay(30_000).then(() => null)]);
      expect(exit, `si mkautoinstallscript ${render.pid} did not end after SIGKILL`).not.toBeNull();
      const left = partials();
      // A render removes what the killed one before it left: never more than one half-built generation.
      expect(left.length).toBeLessThanOrEqual(1);
      const after = checkAgreement(await fetchServed());
      expect(after.hosts).toBe(HOSTS);
      // The old generation whole, or (when the kill came after the switch) the new one whole.
      expect([FILESYSTEMS[served], FILESYSTEMS[layout]]).toContain(after.filesystems);
      const switched = after.filesystems === FILESYSTEMS[layout];
      outcomes.push(`${round}: ${wasRunning ? 'killed' : 'finished'}${left.length > 0 ? ' mid-build' : ''}, served ${switched ? 'new' : 'old'}`);
      if (switched) served = layout;

      // Every fourth kill, the render that follows runs to its end, and cleans up.
      if (round % 4 === 3) {
        await renderFully();
        served = layout;
        expect(partials()).toEqual([]);
        expect(readdirSync(generationsDir()).filter((name) => /^\d+$/.test(name)).length).toBeLessThanOrEqual(2);
        expect(checkAgreement(await fetchServed()).filesystems).toBe(FILESYSTEMS[layout]);
      }
    }
    process.stdout.write(`render after a layout change: ${(duration / 1000).toFixed(2)} s; kills:\n  ${outcomes.join('\n  ')}\n`);
    // The progress kills all landed while the new generation was half written, and served the old one.
    expect(outcomes.filter((o) => o.includes('killed mid-build, served old')).length).toBeGreaterThanOrEqual(KILLS / 2);
  }, 900_000);

  it('keeps a transfer in the generation it started in while scripts/ switches to the next one', async () => {
    const before = realpathSync(paths.scripts);
    const old = checkAgreement(await fetchServed());
    await setLayout(layout === 'two' ? 'three' : 'two');
    fetches += 1;
    const dest = join(work, `fetch-${fetches}`);
    // Slow enough that the render below ends first (checked).
    const slow = world.client.spawn(['rsync', '-a', '--bwlimit=2000', `rsync://${world.server.address}/scripts/`, `${dest}/`]);
    // The daemon's process for this connection has chrooted into the generation scripts/ named when it began.
    const until = performance.now() + 30_000;
    let root: string | undefined;
    while (root === undefined && performance.now() < until) {
      root = (await chrootedDaemonRoots(world)).find((r) => r !== '/');
      if (root === undefined) await delay(20);
    }
    expect(root).toBe(before);
    await renderFully();
    expect(realpathSync(paths.scripts)).not.toBe(before);
    expect(slow.running(), 'the transfer ended before the switch: it proves nothing').toBe(true);
    const exit = await Promise.race([slow.exited, delay(300_000).then(() => null)]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(checkAgreement(dest)).toEqual(old);
  }, 600_000);
});

function safeCount(dir: string): number {
  try {
    return readdirSync(dir).length;
  } catch {
    return 0;
  }
}

/** The roots of the rsync processes running in the server namespace (a daemon connection chroots into its module). */
async function chrootedDaemonRoots(world: World): Promise<string[]> {
  const { stdout } = await capture(['ip', 'netns', 'pids', world.server.name]);
  const roots: string[] = [];
  for (const pid of stdout.split('\n').filter(Boolean)) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('rsync')) continue;
      roots.push(realpathSync(`/proc/${pid}/root`));
    } catch {
      // Gone.
    }
  }
  return roots;
}

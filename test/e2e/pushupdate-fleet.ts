// A fleet of installed clients for si pushupdate and si drift: an image in a temporary SI_HOME, the real rsync
// daemon in the server namespace, and per client its own namespace, a tree made by the autoinstall script's
// copy, fstab and configure phases (which install si-updateclient), and the tree's own sshd chrooted into it.
// The copy phase's result is the same for every client (the image, before anything per host): it runs once, into
// a base tree, and each client starts as a hard-linked copy of it with /etc copied (the files tests and hosts
// edit in place live there; rsync replaces a changed file by a new one and never writes through a shared link),
// then runs its own fstab and configure phases. A small-disk client gets its own copy phase (another filesystem).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ClientRecord } from '../../src/core/clients/client-record.js';
import { homePaths, imageLink, type HomePaths } from '../../src/core/home.js';
import { makeAutoinstallScripts } from '../../src/infra/autoinstall/make-autoinstall-scripts.js';
import { ImageStore } from '../../src/infra/images/image-store.js';
import { runPool } from '../../src/infra/pushupdate/pool.js';
import { runRsyncDaemon, writeRsyncdConf } from '../../src/infra/rsyncd/index.js';
import { capture, run } from '../../src/infra/run.js';
import { ensureServerKey } from '../../src/infra/ssh/key-files.js';
import { createRenderer } from '../../src/infra/templates.js';
import { GPT_LAYOUT } from '../infra/autoinstall/fixtures.js';
import { waitForModules } from '../infra/rsyncd/rsyncd-fixtures.js';
import { siOk } from '../support/si.js';
import { startGoldenClient, type GoldenClient } from '../world/golden-client.js';
import { createWorld, type Netns, type World } from '../world/netns.js';
import { commitImageVersion } from '../world/image-version.js';

export interface FleetClient {
  record: ClientRecord;
  ns: Netns;
  root: string;
  /** Starts the client's sshd (again); stopSshd() ends it. */
  startSshd(): Promise<void>;
  stopSshd(): Promise<void>;
}

export interface Fleet {
  work: string;
  paths: HomePaths;
  world: World;
  image: string;
  clients: FleetClient[];
  currentVersion(image?: string): number;
  /** The next version of an image: the current one copied, changed by `change`, committed; scripts rendered again. */
  newVersion(change: (tree: string) => Promise<void> | void, image?: string): Promise<void>;
  /** Waits until the daemon's module list names the image's current version. */
  served(image?: string): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * `count` clients node001.. at .2, .3, ... of the world, group `all`. `setup` fills the image's first version
 * (root's authorized_keys get the server's key, as a golden client captured with it would carry).
 */
export async function createFleet(options: {
  prefix: string;
  count: number;
  setup: (tree: string) => Promise<void>;
  /** Client `client`'s root on a tmpfs as large as the image plus `spareMiB` (a small disk). */
  smallDisk?: { client: number; spareMiB: number };
  image?: string;
}): Promise<Fleet> {
  const image = options.image ?? 'bookworm';
  const work = mkdtempSync(join(tmpdir(), `si-${options.prefix}-`));
  writeFileSync(join(work, 'cmdline'), '');
  const paths = homePaths(join(work, 'home'));
  const renderer = createRenderer();
  const controller = new AbortController();
  const sshds = new Map<number, GoldenClient>();
  const mounted: string[] = [];
  let daemon: Promise<void> | undefined;
  let world: World | undefined;
  let records: ClientRecord[] = [];

  const currentVersion = (name = image) => Number(basename(realpathSync(imageLink(paths, name))));
  const newVersion = async (change: (tree: string) => Promise<void> | void, name = image) => {
    await commitImageVersion(paths, name, change);
    const clients = records.filter((c) => c.image === name);
    if (clients.length > 0) await makeAutoinstallScripts({ paths, image: name, imageTree: imageLink(paths, name), layout: GPT_LAYOUT, clients, renderer });
  };
  const served = async (name = image) => {
    const want = `sisuite image ${name} version ${currentVersion(name)}`;
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      const list = await capture(['ip', 'netns', 'exec', (world as World).client.name, 'rsync', '--contimeout=2', `rsync://${(world as World).server.address}/`]);
      if (list.stdout.includes(want)) return;
      await new Promise((done) => setTimeout(done, 200));
    }
    throw new Error(`the rsync daemon does not serve ${want} within 30 s`);
  };

  const destroy = async () => {
    for (const sshd of sshds.values()) await sshd.stop().catch(() => undefined);
    controller.abort();
    await daemon?.catch(() => undefined);
    for (let index = 0; index < options.count; index += 1) {
      for (const fs of ['sys', 'proc', 'dev']) await capture(['umount', '-l', join(work, `client${index + 1}`, fs)]);
    }
    await world?.destroy().catch(() => undefined);
    for (const mount of mounted) await capture(['umount', '-l', mount]);
    rmSync(work, { recursive: true, force: true });
  };

  try {
    world = await createWorld({ prefix: options.prefix });
    const { publicKey } = await ensureServerKey(paths.sshKey);
    await newVersion(async (tree) => {
      await options.setup(tree);
      mkdirSync(join(tree, 'root/.ssh'), { recursive: true, mode: 0o700 });
      writeFileSync(join(tree, 'root/.ssh/authorized_keys'), `${publicKey}\n`, { mode: 0o600 });
    });
    await siOk(paths.home, ['addclients', '--hosts', `node[001-${String(options.count).padStart(3, '0')}]`, '--ip', `${world.subnet}.2`, '--netmask', '24', '--image', image, '--group', 'all']);
    const store = ImageStore.open(paths.home);
    records = store.clients.listClients();
    store.close();
    await makeAutoinstallScripts({ paths, image, imageTree: imageLink(paths, image), layout: GPT_LAYOUT, clients: records, renderer });
    const w = world;
    daemon = runRsyncDaemon({
      paths,
      reload: () => {
        const s = ImageStore.open(paths.home);
        try {
          const images = s.registry.listImages().map((i) => i.name);
          return writeRsyncdConf({ paths, renderer, clients: s.clients.listClients(), images, versions: Object.fromEntries(images.map((n) => [n, currentVersion(n)])) });
        } finally {
          s.close();
        }
      },
      signal: controller.signal,
      wrapper: ['ip', 'netns', 'exec', w.server.name],
      pollMs: 500,
    });
    daemon.catch(() => undefined);
    await waitForModules(`rsync://${w.server.address}/`, { prefix: ['ip', 'netns', 'exec', w.client.name], want: 'scripts' });

    const places: { index: number; record: ClientRecord; ns: Netns; root: string }[] = [];
    for (const [index, record] of records.entries()) {
      const ns = index === 0 ? w.client : await w.addNamespace(`c${index + 1}`);
      if (ns.address !== record.ip) throw new Error(`fleet: ${record.hostname} is ${record.ip}, its namespace ${ns.address}`);
      const root = join(work, `client${index + 1}`);
      mkdirSync(root);
      if (options.smallDisk?.client === index + 1) {
        const du = await run(['du', '-s', '--block-size=1M', `${realpathSync(imageLink(paths, image))}/`]);
        const size = Number(du.stdout.split(/\s/)[0]) + options.smallDisk.spareMiB;
        await run(['mount', '-t', 'tmpfs', '-o', `size=${size}m,mode=0755`, 'tmpfs', root]);
        mounted.push(root);
      }
      places.push({ index, record, ns, root });
    }
    const install = async (index: number, record: ClientRecord, ns: Netns, root: string, phases: string): Promise<void> => {
      const log = join(work, `install${index + 1}.log`);
      const done = await capture(['ip', 'netns', 'exec', ns.name, 'sh', join(paths.scripts, `${record.hostname}.sh`)], {
        env: { SI_CMDLINE: join(work, 'cmdline'), SI_BOOT_MAC: `52:54:00:aa:00:${(index + 1).toString(16).padStart(2, '0')}`, SI_SERVER: w.server.address, SI_TARGET: root, SI_PHASES: phases, SI_LOG: log },
        timeout: 600_000,
      });
      if (done.exitCode !== 0) throw new Error(`install of ${record.hostname} (${phases}) failed: ${done.stderr}${existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : ''}`);
    };
    const base = join(work, 'base');
    mkdirSync(base);
    const first = places[0] as (typeof places)[number];
    await install(first.index, first.record, first.ns, base, 'copy');
    // A few at once: the per-host phases are mostly ssh-keygen and small files.
    const clients = await runPool({
      items: places,
      parallel: 3,
      failed: () => false,
      skipped: () => {
        throw new Error('fleet: an install was not started');
      },
      work: async ({ index, record, ns, root }): Promise<FleetClient> => {
        if (mounted.includes(root)) {
          await install(index, record, ns, root, 'copy fstab configure unmount');
        } else {
          await run(['cp', '-al', `${base}/.`, `${root}/`]);
          await run(['rm', '-rf', join(root, 'etc')]);
          await run(['cp', '-a', join(base, 'etc'), join(root, 'etc')]);
          await install(index, record, ns, root, 'fstab configure unmount');
        }
        const client: FleetClient = {
          record,
          ns,
          root,
          startSshd: async () => {
            sshds.set(index, await startGoldenClient({ ns, root }));
          },
          stopSshd: async () => {
            await sshds.get(index)?.stop();
            sshds.delete(index);
          },
        };
        await client.startSshd();
        return client;
      },
    });
    return { work, paths, world: w, image, clients, currentVersion, newVersion, served, destroy };
  } catch (error) {
    await destroy();
    throw error;
  }
}

// An installed client for the si-updateclient tests: an image of the cached bookworm tree, the scripts rendered for
// node001, the image server in a namespace of its own (the real rsync daemon, or the tree's own sshd chrooted into
// a server tree that holds SI_HOME), and the tree the host script's copy, fstab and configure phases installed.
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { expect } from 'vitest';
import type { ClientRecord } from '../../src/core/clients/client-record.js';
import { homePaths, imageLink, type HomePaths } from '../../src/core/home.js';
import { makeAutoinstallScripts } from '../../src/infra/autoinstall/make-autoinstall-scripts.js';
import { runRsyncDaemon, writeRsyncdConf } from '../../src/infra/rsyncd/index.js';
import { capture } from '../../src/infra/run.js';
import { createRenderer } from '../../src/infra/templates.js';
import { GPT_LAYOUT, client } from '../infra/autoinstall/fixtures.js';
import { bookwormTree } from '../infra/configure/bookworm-tree.js';
import { waitForModules } from '../infra/rsyncd/rsyncd-fixtures.js';
import { minbaseTree } from '../world/debootstrap-cache.js';
import { startGoldenClient, type GoldenClient } from '../world/golden-client.js';
import { createWorld, type World } from '../world/netns.js';
import { commitImageVersion } from '../world/image-version.js';

export const IMAGE = 'bookworm';
export type Captured = { stdout: string; stderr: string; exitCode: number | null };

export interface InstalledClient {
  work: string;
  paths: HomePaths;
  world: World;
  /** The installed tree. */
  root: string;
  host: ClientRecord;
  /** The server's SI_HOME as the client names it (ssh: inside the server's chroot). */
  sshHome: string;
  inClient(argv: string[], env?: Record<string, string>): Promise<Captured>;
  /** sh ROOT/usr/local/sbin/si-updateclient --root ROOT ARGS, in the client namespace. */
  updateClient(args: string[], env?: Record<string, string>): Promise<Captured>;
  /** bin/si updateclient --root ROOT ARGS, in the client namespace. */
  si(args: string[], env?: Record<string, string>): Promise<Captured>;
  /** The next image version (the current one changed by `change`), scripts rendered again, served; returns it. */
  newVersion(change: (tree: string) => Promise<unknown> | void): Promise<number>;
  currentVersion(): number;
  destroy(): Promise<void>;
}

export async function installedClient({ prefix, transport, image }: { prefix: string; transport: 'rsync' | 'ssh'; image?: (tree: string) => Promise<void> | void }): Promise<InstalledClient> {
  const work = mkdtempSync(join(tmpdir(), `si-${prefix}-`));
  writeFileSync(join(work, 'cmdline'), '');
  // Over ssh the server is a tree of its own whose sshd runs chrooted: SI_HOME lives inside it.
  const serverTree = join(work, 'server');
  const paths = homePaths(transport === 'ssh' ? join(serverTree, 'var/lib/sisuite') : join(work, 'home'));
  const root = join(work, 'client');
  const renderer = createRenderer();
  const controller = new AbortController();
  let daemon: Promise<void> | undefined;
  let sshd: GoldenClient | undefined;
  const world = await createWorld({ prefix });
  const host = client(1, { netmask: '255.255.255.0', gateway: `${world.subnet}.1`, dns: [`${world.subnet}.1`], ip: `${world.subnet}.2`, image: IMAGE, macs: ['52:54:00:aa:00:01'] });
  const currentVersion = () => Number(basename(realpathSync(imageLink(paths, IMAGE))));
  const env = (extra: Record<string, string>) => ({ SI_CMDLINE: join(work, 'cmdline'), ...extra });
  const inClient = (argv: string[], extra: Record<string, string> = {}) => capture(['ip', 'netns', 'exec', world.client.name, ...argv], { env: env(extra), timeout: 300_000 });
  const listed = async (version: number) => {
    if (transport === 'rsync') {
      await waitForModules(`rsync://${world.server.address}/`, { prefix: ['ip', 'netns', 'exec', world.client.name], want: 'scripts' });
      // The daemon rereads its configuration within a poll: wait (bounded) until it names the version.
      const want = `sisuite image ${IMAGE} version ${version}\n`;
      let modules = '';
      for (const deadline = Date.now() + 30_000; Date.now() < deadline && !modules.includes(want); ) {
        modules = (await inClient(['rsync', `rsync://${world.server.address}/`])).stdout;
        if (!modules.includes(want)) await new Promise((done) => setTimeout(done, 200));
      }
      if (!modules.includes(want)) throw new Error(`the daemon does not list ${want.trim()}: ${modules}`);
    }
  };
  const commit = async (change: (tree: string) => Promise<unknown> | void) => {
    await commitImageVersion(paths, IMAGE, change);
    // As an administrator would after changing the image: the scripts (and so the hosts' plans) follow it.
    await makeAutoinstallScripts({ paths, image: IMAGE, imageTree: imageLink(paths, IMAGE), layout: GPT_LAYOUT, clients: [host], renderer });
  };
  const newVersion = async (change: (tree: string) => Promise<unknown> | void) => {
    await commit(change);
    await listed(currentVersion());
    return currentVersion();
  };
  const destroy = async () => {
    for (const fs of ['sys', 'proc', 'dev']) await capture(['umount', '-l', join(root, fs)]);
    controller.abort();
    await daemon?.catch(() => undefined);
    await sshd?.stop();
    await world.destroy();
    rmSync(work, { recursive: true, force: true });
  };

  try {
    if (transport === 'ssh') await minbaseTree(serverTree);
    await commit(async (tree) => {
      await bookwormTree(tree);
      writeFileSync(join(tree, 'etc/machine-id'), '0123456789abcdef0123456789abcdef\n');
      writeFileSync(join(tree, 'etc/image-note'), 'version 1\n');
      await image?.(tree);
    });
    let sshOptions = '';
    if (transport === 'rsync') {
      daemon = runRsyncDaemon({
        paths,
        reload: () => writeRsyncdConf({ paths, renderer, clients: [host], images: [IMAGE], versions: { [IMAGE]: currentVersion() } }),
        signal: controller.signal,
        wrapper: ['ip', 'netns', 'exec', world.server.name],
        pollMs: 500,
      });
      daemon.catch(() => undefined);
      await listed(1);
    } else {
      sshd = await startGoldenClient({ ns: world.server, root: serverTree });
      sshOptions = sshd.sshOptions().join(' ');
    }
    const sshHome = '/var/lib/sisuite';
    const install = await inClient(['sh', join(paths.scripts, 'node001.sh')], {
      SI_SERVER: world.server.address,
      SI_TARGET: root,
      SI_PHASES: 'copy fstab configure unmount',
      // What the detect phase (not run here) would have found.
      SI_BOOT_DISK: '/dev/vda',
      SI_LOG: join(work, 'install.log'),
      ...(transport === 'ssh' ? { SI_TRANSPORT: 'ssh', SI_SSH_OPTIONS: sshOptions, SI_SSH_HOME: sshHome } : {}),
    });
    const log = existsSync(join(work, 'install.log')) ? readFileSync(join(work, 'install.log'), 'utf8').slice(-3000) : '';
    expect(install.exitCode, `${install.stdout}${install.stderr}${log}`).toBe(0);
    const script = join(root, 'usr/local/sbin/si-updateclient');
    return {
      work,
      paths,
      world,
      root,
      host,
      sshHome,
      inClient,
      updateClient: (args, extra) => inClient(['sh', script, '--root', root, ...args], extra),
      si: (args, extra) => inClient([process.execPath, join(import.meta.dirname, '../../bin/si'), 'updateclient', '--root', root, ...args], extra),
      newVersion,
      currentVersion,
      destroy,
    };
  } catch (error) {
    await destroy();
    throw error;
  }
}

/** The result line of a run's stdout must be its last line. */
export function lastLine(output: string): string {
  return output.trimEnd().split('\n').at(-1) ?? '';
}

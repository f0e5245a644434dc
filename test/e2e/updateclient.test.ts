// si-updateclient run for real: an installed tree made by the autoinstall script's copy and configure phases
// (which also install si-updateclient), the rsync daemon in a server namespace, the client in its own. Then the
// image moves on (files added, changed, removed, an excluded path changed): a dry run changes nothing, an update
// interrupted by kill -9 of its rsync is reported and finished by the next run, and the tree ends equal to the
// image but for the host's own files and the excluded paths, which are untouched.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientRecord } from '../../src/core/clients/client-record.js';
import { homePaths, imageLink, type HomePaths } from '../../src/core/home.js';
import { parseExcludeFile, updateExcludes } from '../../src/core/updates/excludes.js';
import { makeAutoinstallScripts } from '../../src/infra/autoinstall/make-autoinstall-scripts.js';
import { runRsyncDaemon, writeRsyncdConf } from '../../src/infra/rsyncd/index.js';
import { capture, run, startProcess } from '../../src/infra/run.js';
import { createRenderer } from '../../src/infra/templates.js';
import { GPT_LAYOUT, client } from '../infra/autoinstall/fixtures.js';
import { bookwormTree } from '../infra/configure/bookworm-tree.js';
import { waitForModules } from '../infra/rsyncd/rsyncd-fixtures.js';
import { compareDigests, ignoreDirectoryMtimes, treeDigest } from '../world/digest.js';
import { createWorld, type World } from '../world/netns.js';
import { excludeMatcher } from '../support/exclude-matcher.js';
import { commitImageVersion } from '../world/image-version.js';

const SAME = { onlyInA: [], onlyInB: [], differ: [] };
const IMAGE = 'bookworm';

describe('si-updateclient against the rsync daemon', () => {
  let work: string;
  let paths: HomePaths;
  let world: World;
  let root: string;
  let host: ClientRecord;
  const controller = new AbortController();
  let daemon: Promise<void> | undefined;
  const renderer = createRenderer();

  const currentVersion = () => Number(basename(realpathSync(imageLink(paths, IMAGE))));
  const inClient = (argv: string[], env: Record<string, string> = {}) =>
    capture(['ip', 'netns', 'exec', world.client.name, ...argv], { env: { SI_CMDLINE: join(work, 'cmdline'), ...env }, timeout: 300_000 });
  const updateClient = (...args: string[]) => inClient(['sh', join(root, 'usr/local/sbin/si-updateclient'), '--root', root, ...args]);
  /** The next version of the image: the current one (if any) changed by `change`, then the scripts rendered again. */
  const newVersion = async (change: (tree: string) => Promise<void>) => {
    await commitImageVersion(paths, IMAGE, change);
    // As an administrator would after changing the image: the scripts (and so the hosts' plans) follow it.
    await makeAutoinstallScripts({ paths, image: IMAGE, imageTree: imageLink(paths, IMAGE), layout: GPT_LAYOUT, clients: [host], renderer });
  };
  const exclusions = () =>
    excludeMatcher(
      updateExcludes({
        host: parseExcludeFile(readFileSync(join(root, 'etc/sisuite/updateclient.exclude'), 'utf8')),
        local: parseExcludeFile(readFileSync(join(root, 'etc/sisuite/updateclient.local.exclude'), 'utf8')),
      }),
    );

  // A directory the host's plan made to hold its own files (a systemd drop-in directory) is the host's too.
  const ownDirectory = (path: string) => parseExcludeFile(readFileSync(join(root, 'etc/sisuite/updateclient.exclude'), 'utf8')).some((own) => own.startsWith(`${path}/`));

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'si-upc-e2e-'));
    writeFileSync(join(work, 'cmdline'), '');
    paths = homePaths(join(work, 'home'));
    root = join(work, 'client');
    world = await createWorld({ prefix: 'upc' });
    host = client(1, { netmask: '255.255.255.0', gateway: `${world.subnet}.1`, dns: [`${world.subnet}.1`], ip: `${world.subnet}.2`, image: IMAGE, macs: ['52:54:00:aa:00:01'] });
    await newVersion(async (tree) => {
      await bookwormTree(tree);
      writeFileSync(join(tree, 'etc/machine-id'), '0123456789abcdef0123456789abcdef\n');
      writeFileSync(join(tree, 'etc/hostname'), 'golden\n');
      mkdirSync(join(tree, 'opt/app'), { recursive: true });
      writeFileSync(join(tree, 'opt/app/setting'), 'image 1\n');
      writeFileSync(join(tree, 'etc/image-note'), 'version 1\n');
    });
    daemon = runRsyncDaemon({
      paths,
      reload: () => writeRsyncdConf({ paths, renderer, clients: [host], images: [IMAGE], versions: { [IMAGE]: currentVersion() } }),
      signal: controller.signal,
      wrapper: ['ip', 'netns', 'exec', world.server.name],
      pollMs: 500,
    });
    daemon.catch(() => undefined);
    await waitForModules(`rsync://${world.server.address}/`, { prefix: ['ip', 'netns', 'exec', world.client.name], want: 'scripts' });

    // The installed tree: the host script's copy, fstab and configure phases (configure installs si-updateclient).
    const install = await inClient(['sh', join(paths.scripts, 'node001.sh')], {
      SI_SERVER: world.server.address,
      SI_TARGET: root,
      SI_PHASES: 'copy fstab configure unmount',
      SI_LOG: join(work, 'install.log'),
    });
    expect(install.exitCode, `${install.stdout}${install.stderr}${readFileSync(join(work, 'install.log'), 'utf8').slice(-3000)}`).toBe(0);
  }, 600_000);

  afterAll(async () => {
    for (const fs of ['sys', 'proc', 'dev']) if (root) await capture(['umount', '-l', join(root, fs)]);
    controller.abort();
    await daemon?.catch(() => undefined);
    await world?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('is installed with its configuration and the host own files', () => {
    const conf = readFileSync(join(root, 'etc/sisuite/updateclient.conf'), 'utf8');
    expect(conf).toContain(`SI_SERVER='${world.server.address}'\n`);
    expect(conf).toContain(`SI_IMAGE='${IMAGE}'\n`);
    expect(conf).toContain("SI_HOST='node001'\n");
    expect(conf).toContain("SI_TRANSPORT='rsync'\n");
    const own = readFileSync(join(root, 'etc/sisuite/updateclient.exclude'), 'utf8').split('\n');
    for (const path of ['/etc/hostname', '/etc/machine-id', '/etc/network/interfaces', '/etc/sisuite/identity']) expect(own).toContain(path);
  });

  it('updates to a changed image: dry run, an interrupted run finished by the next, excluded paths untouched', async () => {
    // The host's own state before: its identity, a user's file, a site-excluded path changed by hand.
    writeFileSync(join(root, 'etc/sisuite/updateclient.local.exclude'), '/opt/app/*\n');
    writeFileSync(join(root, 'opt/app/setting'), 'changed on this host\n');
    mkdirSync(join(root, 'home/user'), { recursive: true });
    writeFileSync(join(root, 'home/user/notes'), 'mine\n');
    const own = ['etc/machine-id', 'etc/hostname', 'etc/fstab', 'etc/network/interfaces', 'opt/app/setting', 'home/user/notes'];
    const ownBefore = Object.fromEntries(own.map((p) => [p, readFileSync(join(root, p), 'utf8')]));
    const keys = readdirSync(join(root, 'etc/ssh')).filter((name) => name.startsWith('ssh_host_'));
    expect(keys.length).toBeGreaterThan(0);
    const keysBefore = keys.map((k) => readFileSync(join(root, 'etc/ssh', k), 'utf8'));

    const removed = readdirSync(join(root, 'usr/share/doc')).slice(0, 3);
    await newVersion(async (tree) => {
      mkdirSync(join(tree, 'srv/new'), { recursive: true });
      writeFileSync(join(tree, 'srv/new/added.txt'), 'added in version 2\n');
      writeFileSync(join(tree, 'etc/image-note'), 'version 2\n');
      writeFileSync(join(tree, 'etc/hostname'), 'golden2\n');
      writeFileSync(join(tree, 'opt/app/setting'), 'image 2\n');
      mkdirSync(join(tree, 'home/imageuser'), { recursive: true });
      writeFileSync(join(tree, 'home/imageuser/file'), 'from the image\n');
      for (const doc of removed) rmSync(join(tree, 'usr/share/doc', doc), { recursive: true });
      // Enough data that the transfer can be caught in the middle.
      await run(['dd', 'if=/dev/urandom', `of=${join(tree, 'srv/new/big.bin')}`, 'bs=1M', 'count=400', 'status=none']);
    });
    expect(currentVersion()).toBe(2);
    await waitForModules(`rsync://${world.server.address}/`, { prefix: ['ip', 'netns', 'exec', world.client.name], want: 'scripts' });
    await expect.poll(async () => (await inClient(['rsync', `rsync://${world.server.address}/`])).stdout, { timeout: 20_000 }).toContain(`sisuite image ${IMAGE} version 2`);

    // --dry-run lists the changes and changes nothing.
    const before = await treeDigest(root);
    const dry = await updateClient('--dry-run');
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('srv/new/added.txt');
    expect(dry.stdout).toContain('etc/image-note');
    expect(dry.stdout).toContain(`*deleting   usr/share/doc/${removed[0]}/`);
    expect(dry.stdout).not.toContain('etc/hostname');
    expect(dry.stdout).not.toContain('opt/app/setting');
    expect(compareDigests(before, await treeDigest(root))).toEqual(SAME);

    // kill -9 of rsync in the middle of the big file: reported, the marker stays.
    let output = '';
    const first = startProcess(['ip', 'netns', 'exec', world.client.name, 'sh', join(root, 'usr/local/sbin/si-updateclient'), '--root', root, '--no-bootloader'], {
      env: { ...process.env, SI_CMDLINE: join(work, 'cmdline') },
      onStdout: (chunk) => (output += chunk.toString()),
      onStderr: (chunk) => (output += chunk.toString()),
    });
    const rsyncChild = () => {
      for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
        try {
          const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
          if (cmd[0] === 'rsync' && cmd.includes(`${root}/`) && cmd.includes('--stats')) return Number(pid);
        } catch {
          // gone meanwhile
        }
      }
      return undefined;
    };
    const partial = () => readdirSync(join(root, 'srv/new'), { withFileTypes: false }).some((name) => String(name).startsWith('.big.bin.'));
    const ready = await first.waitReady(() => existsSync(join(root, 'srv/new')) && partial() && rsyncChild() !== undefined, { timeoutMs: 120_000, intervalMs: 10 });
    expect(ready, output).toBe('ready');
    await run(['kill', '-9', String(rsyncChild())]);
    const killed = await first.exited;
    expect(killed.exitCode, output).toBe(1);
    expect(output).toMatch(/si-updateclient: rsync failed \(code \d+\): the update is incomplete; run si-updateclient again to finish it\n/);
    expect(readFileSync(join(root, 'etc/sisuite/updateclient.incomplete'), 'utf8')).toMatch(/^image bookworm version 2 started /);

    const second = await updateClient('--no-bootloader');
    expect(second.exitCode, `${second.stdout}${second.stderr}`).toBe(0);
    expect(second.stdout).toContain('si-updateclient: the previous update did not finish (image bookworm version 2 started ');
    expect(second.stdout).toContain(`si-updateclient: updated ${root} to image bookworm version 2 (`);
    // The idempotent configure stages ran on the updated tree, from the host's plan as the server renders it now.
    for (const stage of ['identity', 'initrd', 'locale', 'user-exits']) expect(second.stderr).toContain(`configure: ${stage}\n`);
    expect(second.stderr).not.toContain('configure: bootloader');
    expect(existsSync(join(root, 'etc/sisuite/updateclient.incomplete'))).toBe(false);
    expect(readFileSync(join(root, 'etc/sisuite/image-version'), 'utf8')).toMatch(/^SI_IMAGE=bookworm\nSI_IMAGE_VERSION=2\n/);

    // The tree is the image's, but for the excluded paths and the host's own files, which are as they were.
    // /etc/sisuite holds only the host's state (this image has none): the directory stays for what it holds.
    const excluded = exclusions();
    const skip = (path: string) => path === '/etc/sisuite' || excluded(path) || ownDirectory(path);
    const image = realpathSync(imageLink(paths, IMAGE));
    expect(compareDigests(await treeDigest(image, { exclude: skip }), await treeDigest(root, { exclude: skip }), { ignore: ignoreDirectoryMtimes })).toEqual(SAME);
    for (const path of own) expect(readFileSync(join(root, path), 'utf8'), path).toBe(ownBefore[path]);
    expect(keys.map((k) => readFileSync(join(root, 'etc/ssh', k), 'utf8'))).toEqual(keysBefore);
    expect(existsSync(join(root, 'home/imageuser'))).toBe(false);
    for (const doc of removed) expect(existsSync(join(root, 'usr/share/doc', doc))).toBe(false);

    // Nothing left to do: a second dry run lists no change.
    const again = await updateClient('--dry-run');
    expect(again.exitCode).toBe(0);
    expect(again.stdout.split('\n').filter((line) => /^[<>ch*.][fdLDS]/.test(line) && !/^\.d/.test(line))).toEqual([]);
  }, 600_000);

  it('si updateclient (the CLI) does the same: dry run changes nothing, then the update to version 3', async () => {
    await newVersion(async (tree) => {
      writeFileSync(join(tree, 'etc/image-note'), 'version 3\n');
      writeFileSync(join(tree, 'srv/new/cli.txt'), 'added in version 3\n');
      // An input of the identity stage (ssh-keygen -A reads /etc/ssh): that stage re-runs, the others do not.
      mkdirSync(join(tree, 'etc/ssh'), { recursive: true });
      writeFileSync(join(tree, 'etc/ssh/site-note'), 'version 3\n');
      rmSync(join(tree, 'srv/new/added.txt'));
    });
    await expect.poll(async () => (await inClient(['rsync', `rsync://${world.server.address}/`])).stdout, { timeout: 20_000 }).toContain(`sisuite image ${IMAGE} version 3`);
    const si = (...args: string[]) => inClient([process.execPath, join(import.meta.dirname, '../../bin/si'), 'updateclient', '--root', root, ...args]);
    const before = await treeDigest(root);
    const dry = await si('--dry-run');
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('srv/new/cli.txt\n');
    expect(dry.stdout).toContain('*deleting   srv/new/added.txt\n');
    expect(dry.stdout).toContain('si: dry run: ');
    expect(compareDigests(before, await treeDigest(root))).toEqual(SAME);

    const done = await si('--no-bootloader');
    expect(done.exitCode, `${done.stdout}${done.stderr}`).toBe(0);
    expect(done.stdout).toContain(`si: updated ${root} to image bookworm version 3 (`);
    expect(done.stderr).toContain('configure: identity\n');
    expect(done.stderr).not.toContain('configure: locale\n');
    expect(done.stdout.trim().split('\n').at(-1)).toMatch(/^si: result=ok image=bookworm version=3 .* stages=identity$/);
    expect(readFileSync(join(root, 'etc/sisuite/image-version'), 'utf8')).toMatch(/^SI_IMAGE=bookworm\nSI_IMAGE_VERSION=3\n/);
    const excluded = exclusions();
    const skip = (path: string) => path === '/etc/sisuite' || excluded(path) || ownDirectory(path);
    const image = realpathSync(imageLink(paths, IMAGE));
    expect(compareDigests(await treeDigest(image, { exclude: skip }), await treeDigest(root, { exclude: skip }), { ignore: ignoreDirectoryMtimes })).toEqual(SAME);
    expect(readFileSync(join(root, 'etc/hostname'), 'utf8')).toBe('node001\n');

    // The script under busybox sh (as an installer or a small client has it): up to date, nothing listed.
    const busybox = await inClient(['busybox', 'sh', join(root, 'usr/local/sbin/si-updateclient'), '--root', root, '--dry-run']);
    expect(busybox.exitCode, busybox.stderr).toBe(0);
    expect(busybox.stdout).toContain(`from image ${IMAGE} version 3 would change`);
    expect(busybox.stdout.split('\n').filter((line) => /^[<>ch*.][fdLDS]/.test(line) && !/^\.d/.test(line))).toEqual([]);

    const bad = await si('--conf', join(work, 'missing.conf'));
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe(`si: no configuration ${join(work, 'missing.conf')}: this host was not installed by sisuite, or write it as docs/updates.md shows\n`);
  }, 300_000);

  it('refuses an unreachable server and an image the server does not serve with one line, changing nothing', async () => {
    const conf = join(work, 'other.conf');
    const before = await treeDigest(root);
    writeFileSync(conf, `SI_SERVER='${world.server.address}'\nSI_IMAGE='nosuch'\nSI_HOST='node001'\n`);
    const unknown = await updateClient('--conf', conf);
    expect(unknown.exitCode).toBe(3);
    expect(unknown.stderr).toMatch(/^si-updateclient: the image server \S+ serves no image nosuch: .*nothing changed\n$/);
    writeFileSync(conf, `SI_SERVER='${world.subnet}.99'\nSI_IMAGE='${IMAGE}'\nSI_HOST='node001'\nSI_RSYNC_PORT=873\n`);
    const down = await inClient(['timeout', '120', 'sh', join(root, 'usr/local/sbin/si-updateclient'), '--root', root, '--conf', conf]);
    expect(down.exitCode).toBe(3);
    expect(down.stderr).toMatch(/^si-updateclient: cannot reach the image server \S+ over rsync .*nothing changed\n$/);
    expect(compareDigests(before, await treeDigest(root))).toEqual(SAME);
  }, 300_000);
});

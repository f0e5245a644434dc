// The generated autoinstall script, run for real: the rsync daemon in a server namespace, the script in a
// client namespace with its disk set to a loop device on a sparse file. One GPT layout run through the
// host's own script, one MBR layout through the generic install.sh (host found by MAC, scripts fetched
// from the daemon); then a layout larger than its disk, and a mounted disk, both refused untouched.
import { existsSync, realpathSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, openSync, readSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installHostConfig } from '../../src/core/autoinstall/client-host.js';
import { buildLayoutContext } from '../../src/core/autoinstall/layout-context.js';
import type { ClientRecord } from '../../src/core/clients/client-record.js';
import { homePaths, imageLink, type HomePaths } from '../../src/core/home.js';
import type { DiskLayout } from '../../src/core/layout/disk-layout.js';
import { makeAutoinstallScripts } from '../../src/infra/autoinstall/make-autoinstall-scripts.js';
import { applyPlan } from '../../src/infra/configure/apply-plan.js';
import { planForRoot } from '../../src/infra/configure/plan-root.js';
import { runRsyncDaemon, writeRsyncdConf } from '../../src/infra/rsyncd/index.js';
import { capture, run } from '../../src/infra/run.js';
import { createRenderer } from '../../src/infra/templates.js';
import { bookwormTree } from '../infra/configure/bookworm-tree.js';
import { RANDOM_CONTENT } from '../infra/configure/trees.js';
import { client, GPT_LAYOUT, MBR_LAYOUT } from '../infra/autoinstall/fixtures.js';
import { waitForModules } from '../infra/rsyncd/rsyncd-fixtures.js';
import { compareDigests, ignoreDirectoryMtimes, treeDigest, type DigestField } from '../world/digest.js';
import { commitImageVersion } from '../world/image-version.js';
import { createWorld, type World } from '../world/netns.js';

const SAME = { onlyInA: [], onlyInB: [], differ: [] };
const PHASES = 'detect pre-install partition raid lvm mkfs mount copy overrides fstab configure bootloader post-install save-logs unmount report post'.split(' ');

describe('the generated autoinstall script on loop disks', () => {
  let work: string;
  let paths: HomePaths;
  let world: World;
  const loops: string[] = [];
  const mounts: string[] = [];
  const controller = new AbortController();
  let daemon: Promise<void> | undefined;
  let daemonError: unknown;
  const clients: Record<string, ClientRecord> = {};
  const layouts: Record<string, DiskLayout> = { bookworm: GPT_LAYOUT, bookmbr: MBR_LAYOUT };
  let emptyCmdline: string;

  const loopDisk = async (name: string, size: string): Promise<string> => {
    const file = join(work, `${name}.img`);
    await run(['truncate', '-s', size, file]);
    const { stdout } = await run(['losetup', '-f', '--show', file]);
    loops.push(stdout.trim());
    return stdout.trim();
  };
  const mount = async (device: string, dir: string, type?: string) => {
    mkdirSync(dir, { recursive: true });
    await run(['mount', ...(type ? ['-t', type] : []), device, dir]);
    mounts.push(dir);
  };
  const unmount = async (dir: string) => {
    await run(['umount', dir]);
    mounts.splice(mounts.indexOf(dir), 1);
  };
  const inClient = (argv: string[], env: Record<string, string>) =>
    capture(['ip', 'netns', 'exec', world.client.name, ...argv], { env: { SI_CMDLINE: emptyCmdline, SI_POST: 'none', ...env }, timeout: 240_000 });
  const blkidUuid = async (device: string) => (await run(['blkid', '-p', '-o', 'value', '-s', 'UUID', device])).stdout.trim();

  /** Paths the install makes per host: what the host's plan touches, the hooks' and overrides' files, the log. */
  const perHostPaths = (image: string, host: ClientRecord) => {
    const install = installHostConfig({ client: host, image, layout: buildLayoutContext(layouts[image]!) });
    const plan = planForRoot({ root: imageLink(paths, image), host: install.host });
    const exact = new Set<string>(['/etc/sisuite-override', '/root/si-post-install', '/usr/local/sbin/si-updateclient']);
    for (const stage of plan.stages) {
      for (const p of [...stage.remove, ...stage.write.map((w) => w.path), ...stage.links.map((l) => l.path), ...stage.identity.map((a) => a.path)]) exact.add(p);
      // The record's directory (/etc/sisuite) is new too.
      if (stage.record) exact.add(stage.record.path).add(stage.record.path.replace(/\/[^/]+$/, ''));
    }
    // A directory the plan made to hold its own files (a systemd drop-in directory) is the host's too.
    const ownDirectory = (path: string) => !existsSync(join(imageLink(paths, image), path)) && [...exact].some((own) => own.startsWith(`${path}/`));
    const skip = (path: string) =>
      exact.has(path) || ownDirectory(path) || /^\/etc\/ssh\/ssh_host_/.test(path) || /(^|\/)lost\+found$/.test(path) || path === '/var/log/sisuite';
    return { install, plan, skip };
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'si-ai-e2e-'));
    paths = homePaths(join(work, 'home'));
    emptyCmdline = join(work, 'cmdline');
    writeFileSync(emptyCmdline, '');
    world = await createWorld({ prefix: 'ai' });
    const link = await run(['ip', '-n', world.client.name, '-o', 'link', 'show', 'eth0']);
    const mac = /link\/ether ([0-9a-f:]{17})/.exec(link.stdout)?.[1];
    if (!mac) throw new Error(`no MAC for the client namespace: ${link.stdout}`);

    // Two images from one bookworm tree (minbase, openssh-server, ifupdown) with a golden client's identity.
    await commitImageVersion(paths, 'bookworm', async (tree) => {
      await bookwormTree(tree);
      writeFileSync(join(tree, 'etc/machine-id'), '0123456789abcdef0123456789abcdef\n');
      writeFileSync(join(tree, 'etc/hostname'), 'golden\n');
      writeFileSync(join(tree, 'etc/network/interfaces.d/ens3'), 'allow-hotplug ens3\niface ens3 inet dhcp\n');
    });
    await commitImageVersion(paths, 'bookmbr', (tree) => run(['cp', '-a', `${imageLink(paths, 'bookworm')}/.`, `${tree}/`]));

    // Hooks for every host, an override tree for the group.
    for (const dir of ['pre-install', 'post-install']) mkdirSync(join(paths.scripts, dir), { recursive: true });
    writeFileSync(join(paths.scripts, 'pre-install/10all.sh'), `#!/bin/sh\necho "pre-install on $SI_HOST, disk $SI_DISK_0" >> '${work}/pre-install.ran'\n`);
    writeFileSync(join(paths.scripts, 'post-install/60all.sh'), '#!/bin/sh\necho "post-install on $SI_HOST" > /root/si-post-install\n');
    for (const hook of ['pre-install/10all.sh', 'post-install/60all.sh']) chmodSync(join(paths.scripts, hook), 0o755);
    mkdirSync(join(paths.overrides, 'compute/etc'), { recursive: true });
    writeFileSync(join(paths.overrides, 'compute/etc/sisuite-override'), 'compute\n');

    const net = { netmask: '255.255.255.0', gateway: `${world.subnet}.1`, dns: [`${world.subnet}.1`] };
    clients.node001 = client(1, { ...net, ip: `${world.subnet}.21`, image: 'bookworm', macs: ['52:54:00:aa:00:01'] });
    clients.node002 = client(2, { ...net, ip: `${world.subnet}.22`, image: 'bookmbr', macs: ['52:54:00:aa:00:02', mac] });
    const renderer = createRenderer({ siteDir: paths.templates });
    for (const [image, host] of [['bookworm', clients.node001], ['bookmbr', clients.node002]] as const) {
      await makeAutoinstallScripts({ paths, image, imageTree: imageLink(paths, image), layout: layouts[image]!, clients: [host], renderer });
    }

    const all = Object.values(clients);
    daemon = runRsyncDaemon({
      paths,
      reload: () => writeRsyncdConf({ paths, renderer, clients: all, images: ['bookworm', 'bookmbr'] }),
      signal: controller.signal,
      wrapper: ['ip', 'netns', 'exec', world.server.name],
      pollMs: 1000,
    });
    daemon.catch((error: unknown) => (daemonError = error));
    await waitForModules(`rsync://${world.server.address}/`, { prefix: ['ip', 'netns', 'exec', world.client.name], want: 'scripts' });
  }, 300_000);

  afterAll(async () => {
    for (const dir of [...mounts].reverse()) await capture(['umount', '-l', dir]);
    for (const loop of loops) {
      await capture(['partx', '-d', loop]);
      await capture(['losetup', '-d', loop]);
    }
    controller.abort();
    await daemon?.catch(() => undefined);
    await world?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 120_000);

  const expectAllPhases = (stdout: string, host: string) => {
    for (const phase of PHASES) {
      expect(stdout).toContain(`si: phase ${phase} start\n`);
      expect(stdout).toContain(`si: phase ${phase} done\n`);
    }
    expect(stdout).toContain(`si: installed ${host} from image`);
    expect(stdout).not.toContain('failed');
  };

  /** The installed tree equals the image but for the host's own files, and equals the image configured by applyPlan. */
  const checkInstalledTree = async (root: string, image: string, host: ClientRecord, disk: string, fsDevices: string[]) => {
    const { install, plan, skip } = perHostPaths(image, host);
    const imageTree = realpathSync(imageLink(paths, image));
    const installed = await treeDigest(root, { exclude: skip });
    expect(compareDigests(await treeDigest(imageTree, { exclude: skip }), installed, { ignore: ignoreDirectoryMtimes })).toEqual(SAME);

    const read = (path: string) => readFileSync(join(root, path), 'utf8');
    expect(read('etc/hostname')).toBe(`${host.hostname}\n`);
    expect(read('etc/hosts')).toContain(`${host.ip}\t${host.hostname}.cluster.test ${host.hostname}\n`);
    expect(read('etc/network/interfaces')).toContain(`\taddress ${host.ip}/24\n`);
    expect(read('etc/network/interfaces')).toContain(`auto mac/${host.macs[0]}/=nic0\n`);
    expect(read('etc/machine-id')).toMatch(/^[0-9a-f]{32}\n$/);
    expect(read('etc/machine-id')).not.toBe('0123456789abcdef0123456789abcdef\n');
    expect(read('etc/sisuite-override')).toBe('compute\n');
    expect(read('root/si-post-install')).toBe(`post-install on ${host.hostname}\n`);
    expect(read('var/log/sisuite/install.log')).toContain('start=1MiB, size=');
    // fstab names exactly the filesystems just made, by the UUIDs blkid reads from them.
    const fstabUuids = [...read('etc/fstab').matchAll(/^UUID=(\S+)\s/gm)].map((m) => m[1]).sort();
    const onDisk = (await Promise.all(fsDevices.map(blkidUuid))).sort();
    expect(fstabUuids).toEqual(onDisk);
    expect(onDisk).toEqual([...install.uuids].sort());

    // The same host configured by applyPlan on a copy of the image: the same tree.
    const applied = join(work, `applied-${host.hostname}`);
    mkdirSync(applied);
    await run(['cp', '-a', `${imageTree}/.`, `${applied}/`]);
    await applyPlan({ root: applied, plan, bootDisk: disk });
    const randomOrMtime = (path: string, field: DigestField) => field === 'mtime' || (RANDOM_CONTENT.test(path) && (field === 'sha256' || field === 'size'));
    const extra = (path: string) => ['/etc/sisuite-override', '/root/si-post-install', '/var/log/sisuite', '/usr/local/sbin/si-updateclient'].includes(path) || /^\/etc\/sisuite\/(updateclient\.|image-version$)/.test(path) || /(^|\/)lost\+found$/.test(path);
    expect(compareDigests(await treeDigest(applied, { exclude: extra }), await treeDigest(root, { exclude: extra }), { ignore: randomOrMtime })).toEqual(SAME);
  };

  it('installs a GPT layout through the host script: table, filesystems, image, fstab with the new UUIDs, configure', async () => {
    const disk = await loopDisk('gpt', '3G');
    const target = join(work, 'target-gpt');
    const result = await inClient(['sh', join(paths.scripts, 'node001.sh')], { SI_SERVER: world.server.address, SI_DISK: disk, SI_TARGET: target, SI_LOG: join(work, 'gpt.log') });
    expect(result.exitCode, `${result.stdout}${result.stderr}\ndaemon: ${String(daemonError ?? 'running')}`).toBe(0);
    expectAllPhases(result.stdout, 'node001');
    expect(readFileSync(join(work, 'pre-install.ran'), 'utf8')).toContain(`pre-install on node001, disk ${disk}\n`);
    const table = JSON.parse((await run(['sfdisk', '--json', disk])).stdout).partitiontable;
    expect(table.label).toBe('gpt');
    expect(table.partitions.map((p: { start: number; size: number; name?: string }) => [p.start, p.size, p.name])).toEqual([
      [2048, 2048, 'grub'],
      [4096, 256 * 2048, 'swap'],
      [4096 + 256 * 2048, (3 * 1024 - 1 - 258) * 2048, 'root'],
    ]);
    // The script unmounted what it mounted.
    expect((await capture(['findmnt', '-rn', '-S', `${disk}p3`])).stdout).toBe('');

    const root = join(work, 'check-gpt');
    await mount(`${disk}p3`, root);
    await checkInstalledTree(root, 'bookworm', clients.node001!, disk, [`${disk}p2`, `${disk}p3`]);
    expect(readFileSync(join(root, 'etc/fstab'), 'utf8')).toMatch(/^UUID=\S+\tnone\tswap\tsw\t0\t0$/m);
    await unmount(root);
  });

  it('installs an MBR layout through install.sh, which finds the host by MAC and fetches its scripts from the daemon', async () => {
    const disk = await loopDisk('mbr', '3G');
    const entry = join(work, 'entry');
    mkdirSync(entry);
    await run(['cp', join(paths.scripts, 'install.sh'), entry]);
    const target = join(work, 'target-mbr');
    const result = await inClient(['sh', join(entry, 'install.sh')], {
      SI_SERVER: world.server.address,
      SI_DISK: disk,
      SI_TARGET: target,
      SI_LOG: join(work, 'mbr.log'),
      TMPDIR: entry,
    });
    expect(result.exitCode, `${result.stdout}${result.stderr}\ndaemon: ${String(daemonError ?? 'running')}`).toBe(0);
    expectAllPhases(result.stdout, 'node002');
    const table = JSON.parse((await run(['sfdisk', '--json', disk])).stdout).partitiontable;
    expect(table.label).toBe('dos');
    expect(table.partitions[0].bootable).toBe(true);

    const root = join(work, 'check-mbr');
    await mount(`${disk}p2`, root, 'xfs');
    await mount(`${disk}p1`, join(root, 'boot'));
    await mount(`${disk}p3`, join(root, 'srv'));
    expect((await run(['blkid', '-p', '-o', 'value', '-s', 'LABEL', `${disk}p3`])).stdout.trim()).toBe('srv data');
    await checkInstalledTree(root, 'bookmbr', clients.node002!, disk, [`${disk}p1`, `${disk}p2`, `${disk}p3`]);
    for (const dir of [join(root, 'srv'), join(root, 'boot'), root]) await unmount(dir);
  });

  it('refuses a layout larger than the disk before writing a partition table', async () => {
    const disk = await loopDisk('small', '64M');
    const result = await inClient(['sh', join(paths.scripts, 'node001.sh')], { SI_SERVER: world.server.address, SI_DISK: disk, SI_TARGET: join(work, 'target-small'), SI_LOG: join(work, 'small.log') });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('si: phase detect failed\n');
    expect(result.stdout).not.toContain('si: phase partition');
    expect(result.stderr).toContain(`disk ${disk} is too small: the layout needs 260 MiB, the disk has 64 MiB`);
    const head = Buffer.alloc(1024 * 1024);
    const fd = openSync(join(work, 'small.img'), 'r');
    readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
    expect(head.every((byte) => byte === 0)).toBe(true);
  });

  it('refuses a host script of one generation against the master of another, before touching the disk', async () => {
    const disk = await loopDisk('mismatch', '3G');
    await run(['sfdisk', '--quiet', disk], { input: 'label: dos\n,64MiB,L\n' });
    const firstMiB = () => {
      const head = Buffer.alloc(1024 * 1024);
      const fd = openSync(disk, 'r');
      readSync(fd, head, 0, head.length, 0);
      closeSync(fd);
      return head;
    };
    const before = firstMiB();
    // node001.sh of this generation (GPT layout, two filesystems) kept aside; then the layout changes and the
    // server publishes a new generation whose master makes three filesystems.
    const stale = join(work, 'stale');
    mkdirSync(stale);
    await run(['cp', join(paths.scripts, 'node001.sh'), stale]);
    const idOf = (file: string, key: string) => new RegExp(`^${key}=(\\w+)$`, 'm').exec(readFileSync(file, 'utf8'))?.[1];
    const oldId = idOf(join(stale, 'node001.sh'), 'SI_HOST_MASTER_ID');
    const renderer = createRenderer({ siteDir: paths.templates });
    const rerender = (layout: DiskLayout) => makeAutoinstallScripts({ paths, image: 'bookworm', imageTree: imageLink(paths, 'bookworm'), layout, clients: [clients.node001!], renderer });
    const changed = await rerender(MBR_LAYOUT);
    try {
      expect(changed.masterId).not.toBe(oldId);
      const result = await inClient(['sh', join(stale, 'node001.sh')], { SI_SERVER: world.server.address, SI_DISK: disk, SI_TARGET: join(work, 'target-mismatch'), SI_LOG: join(work, 'mismatch.log'), TMPDIR: stale });
      expect(result.exitCode).toBe(75);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`si: generation mismatch: ${stale}/sisuite-bookworm.master is master ${changed.masterId} of image bookworm, but this script of node001 was rendered for master ${oldId}; nothing was touched`);
      expect(firstMiB().equals(before)).toBe(true);
      expect(JSON.parse((await run(['sfdisk', '--json', disk])).stdout).partitiontable.partitions).toHaveLength(1);
    } finally {
      await rerender(GPT_LAYOUT);
    }
  });

  it('refuses a disk that is mounted, and leaves it as it was', async () => {
    const disk = await loopDisk('busy', '64M');
    await run(['mkfs.ext4', '-q', disk]);
    const before = await blkidUuid(disk);
    const busy = join(work, 'busy');
    await mount(disk, busy);
    writeFileSync(join(busy, 'data'), 'kept\n');
    const result = await inClient(['sh', join(paths.scripts, 'node001.sh')], { SI_SERVER: world.server.address, SI_DISK: disk, SI_TARGET: join(work, 'target-busy'), SI_LOG: join(work, 'busy.log') });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('si: phase detect failed\n');
    expect(result.stderr).toContain(`refusing to touch ${disk}: ${disk} is mounted or used as swap`);
    expect(readFileSync(join(busy, 'data'), 'utf8')).toBe('kept\n');
    await unmount(busy);
    expect(await blkidUuid(disk)).toBe(before);
  });
});

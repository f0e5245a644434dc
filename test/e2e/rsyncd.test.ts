// The real rsync daemon in the server namespace, run by runRsyncDaemon from a config written from
// client records and image names: a client pulls, a stranger in another subnet is refused, writes are
// refused, and version switches, new images and new clients are served without a restart.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HomePaths } from '../../src/core/home.js';
import { runRsyncDaemon, writeRsyncdConf, type RsyncdEvent } from '../../src/infra/rsyncd/index.js';
import { capture } from '../../src/infra/run.js';
import { createRenderer } from '../../src/infra/templates.js';
import { compareDigests, treeDigest } from '../world/digest.js';
import { createWorld, type Netns, type World } from '../world/netns.js';
import { addImageVersion, makeHome, waitForModules } from '../infra/rsyncd/rsyncd-fixtures.js';

const SAME = { onlyInA: [], onlyInB: [], differ: [] };

describe('si rsyncd: the rsync daemon between network namespaces', () => {
  let work: string;
  let paths: HomePaths;
  let world: World;
  let stranger: Netns;
  let strangerIp: string;
  let serverIpForStranger: string;
  const controller = new AbortController();
  let running: Promise<void> | undefined;
  let daemonError: unknown;
  const events: RsyncdEvent[] = [];
  const images = ['demo'];
  const clients: { ip: string; netmask: string }[] = [];

  const inNs = (ns: Netns, argv: string[]) => capture(['ip', 'netns', 'exec', ns.name, ...argv], { timeout: 60_000 });
  const url = (module = '') => `rsync://${world.server.address}/${module}`;
  let pulls = 0;
  let firstPull = '';
  const pull = async (module: string, { into, extra = [] }: { into?: string; extra?: string[] } = {}): Promise<string> => {
    pulls += 1;
    const dest = into ?? path.join(work, `pull-${pulls}`);
    const result = await inNs(world.client, ['rsync', '-aHAX', '--numeric-ids', ...extra, `${url(module)}/`, `${dest}/`]);
    expect(result.exitCode, `${result.stderr}\ndaemon: ${String(daemonError ?? 'running')}`).toBe(0);
    return dest;
  };
  const digestOf = (dir: string) => treeDigest(dir);

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'si-rsyncd-e2e-'));
    paths = makeHome(work);
    addImageVersion(paths, 'demo', 1, 'one');
    world = await createWorld({ prefix: 'rsd' });
    clients.push({ ip: world.client.address, netmask: '255.255.255.0' });

    // A host on the same wire but in a subnet no client is in: the server has an address there too.
    stranger = await world.addNamespace('out');
    const outside = world.subnet.replace(/^10\.231\./, '10.232.');
    strangerIp = `${outside}.3`;
    serverIpForStranger = `${outside}.1`;
    await inNs(stranger, ['ip', 'addr', 'flush', 'dev', 'eth0']);
    await inNs(stranger, ['ip', 'addr', 'add', `${strangerIp}/24`, 'dev', 'eth0']);
    await inNs(world.server, ['ip', 'addr', 'add', `${serverIpForStranger}/24`, 'dev', 'br0']);

    running = runRsyncDaemon({
      paths,
      reload: () => writeRsyncdConf({ paths, renderer: createRenderer({ siteDir: paths.templates }), clients, images }),
      signal: controller.signal,
      wrapper: ['ip', 'netns', 'exec', world.server.name],
      pollMs: 500,
      onEvent: (event) => events.push(event),
    });
    running.catch((error: unknown) => (daemonError = error));
    await waitForModules(url(), { prefix: ['ip', 'netns', 'exec', world.client.name] });
  });

  afterAll(async () => {
    controller.abort();
    await running?.catch(() => undefined);
    await world?.destroy();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('lets a client in the allowed network list the modules and pull an image whole', async () => {
    const list = await inNs(world.client, ['rsync', url()]);
    expect(list.stdout.split('\n').filter(Boolean).map((line) => line.split(/\s+/)[0])).toEqual(['demo', 'scripts', 'overrides', 'boot']);
    const dest = await pull('demo');
    firstPull = dest;
    // Secrets (0640 shadow, 0600 host key), owners, hardlinks and absolute symlinks arrive as they are.
    expect(compareDigests(await digestOf(path.join(paths.versions, 'demo/1')), await digestOf(dest))).toEqual(SAME);
    expect(fs.readlinkSync(path.join(dest, 'etc/hostname.abs'))).toBe('/etc/hostname');
  });

  it('refuses a host outside the clients\' networks with "access denied"', async () => {
    const refused = await inNs(stranger, ['rsync', '-a', `rsync://${serverIpForStranger}/demo/`, path.join(work, 'stolen/')]);
    expect(refused.exitCode).toBe(5);
    expect(refused.stderr).toContain(`@ERROR: access denied to demo from UNDETERMINED (${strangerIp})`);
    expect(fs.existsSync(path.join(work, 'stolen'))).toBe(false);
  });

  it('refuses writes and server-side deletes on every module and leaves the image as it was', async () => {
    const before = await digestOf(paths.versions);
    const file = path.join(work, 'intruder');
    fs.writeFileSync(file, 'x');
    for (const module of ['demo', 'scripts', 'boot']) {
      const push = await inNs(world.client, ['rsync', file, `${url(module)}/`]);
      expect(push.exitCode, module).not.toBe(0);
      expect(push.stderr).toContain('ERROR: module is read only');
    }
    const moveOut = await inNs(world.client, ['rsync', '-a', '--remove-source-files', `${url('demo')}/etc/hostname`, path.join(work, 'moved')]);
    expect(moveOut.exitCode).not.toBe(0);
    expect(moveOut.stderr).toMatch(/refuse --remove-source-files|refuse --delete/);
    expect(compareDigests(before, await digestOf(paths.versions))).toEqual(SAME);
  });

  it('serves the new version after images/NAME is switched, without a restart', async () => {
    addImageVersion(paths, 'demo', 2, 'two');
    const dest = await pull('demo');
    expect(compareDigests(await digestOf(path.join(paths.versions, 'demo/2')), await digestOf(dest))).toEqual(SAME);
    expect(fs.readFileSync(path.join(dest, 'etc/hostname'), 'utf8')).toBe('demo-two\n');
    expect(events.filter((e) => e.type === 'started')).toHaveLength(1);
  });

  it('updates an installed tree with --delete (refuse options = delete only guards the server)', async () => {
    fs.writeFileSync(path.join(firstPull, 'etc/local-junk'), 'not in the image');
    await pull('demo', { into: firstPull, extra: ['--delete'] });
    expect(compareDigests(await digestOf(path.join(paths.versions, 'demo/2')), await digestOf(firstPull))).toEqual(SAME);
  });

  it('serves an image added to the registry, without a restart', async () => {
    addImageVersion(paths, 'tools', 1, 'tools');
    images.push('tools');
    await waitForModules(url(), { prefix: ['ip', 'netns', 'exec', world.client.name], want: 'tools' });
    const dest = await pull('tools');
    expect(compareDigests(await digestOf(path.join(paths.versions, 'tools/1')), await digestOf(dest))).toEqual(SAME);
    expect(events.filter((e) => e.type === 'started')).toHaveLength(1);
    expect(daemonError).toBeUndefined();
  });

  it('admits a new client network once the client is registered', async () => {
    clients.push({ ip: strangerIp, netmask: '255.255.255.0' });
    const until = Date.now() + 90_000;
    let result = await inNs(stranger, ['rsync', `rsync://${serverIpForStranger}/demo/etc/hostname`]);
    while (result.exitCode !== 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      result = await inNs(stranger, ['rsync', `rsync://${serverIpForStranger}/demo/etc/hostname`]);
    }
    expect(result.exitCode, result.stderr).toBe(0);
    expect(fs.readFileSync(path.join(paths.home, 'rsyncd.conf'), 'utf8')).toMatch(
      new RegExp(`^hosts allow = 127\\.0\\.0\\.1 ::1 ${world.subnet.replaceAll('.', '\\.')}\\.0/24 ${strangerIp.replace(/\.3$/, '.0').replaceAll('.', '\\.')}/24$`, 'm'),
    );
  });

  it('stops the daemon when aborted', async () => {
    controller.abort();
    await expect(running).resolves.toBeUndefined();
    const after = await inNs(world.client, ['rsync', '--contimeout=2', url()]);
    expect(after.exitCode).not.toBe(0);
    expect(after.stderr).toMatch(/Connection refused/);
  });
});

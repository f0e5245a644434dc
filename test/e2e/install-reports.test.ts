// Install reports end to end: `si rsyncd --foreground` (the real bin/si and rsync daemon) in a server
// namespace; the generated host script installs onto a loop disk in a client namespace and reports to the
// daemon's write-only module `reports`; the daemon records the reports in the registry. A good install ends
// `installed`, a layout too big for its disk and an image module that cannot be read end `failed` with
// their phase, and forged uploads change nothing and are set aside.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homePaths, imageLink, type HomePaths } from '../../src/core/home.js';
import { reportPaths } from '../../src/core/reports/index.js';
import { ImageStore } from '../../src/infra/images/image-store.js';
import { capture, run } from '../../src/infra/run.js';
import { bookwormTree } from '../infra/configure/bookworm-tree.js';
import { waitForModules } from '../infra/rsyncd/rsyncd-fixtures.js';
import { PROJECT, dumpRegistry, siOk } from '../support/si.js';
import type { Daemon } from '../world/daemon.js';
import { createWorld, type World } from '../world/netns.js';

/** The GPT layout of the loop-disk tests: bios_grub, 256 MiB swap, ext4 root over the rest (260 MiB at least). */
const GPT_LAYOUT = {
  disks: [
    {
      select: 'first',
      table: 'gpt',
      partitions: [
        { name: 'grub', size: '1MiB', type: 'bios_grub' },
        { name: 'swap', size: '256MiB', type: 'swap' },
        { name: 'root', size: 'rest', filesystem: { type: 'ext4', label: 'root', mount: '/' } },
      ],
    },
  ],
};

interface Event {
  host: string;
  event_id: string;
  mac: string | null;
  state: string;
  phase: string;
  message: string;
}

describe('install reports through the rsync daemon', () => {
  let work: string;
  let paths: HomePaths;
  let world: World;
  let daemon: Daemon;
  let clientMac: string;
  const loops: string[] = [];

  const loopDisk = async (name: string, size: string): Promise<string> => {
    const file = path.join(work, `${name}.img`);
    await run(['truncate', '-s', size, file]);
    const { stdout } = await run(['losetup', '-f', '--show', file]);
    loops.push(stdout.trim());
    return stdout.trim();
  };
  const install = (host: string, disk: string) =>
    capture(['ip', 'netns', 'exec', world.client.name, 'sh', path.join(paths.scripts, `${host}.sh`)], {
      // The hosts have no MAC in the registry: the boot MAC names the interface they are configured on, as the installer's init exports it.
      env: { SI_BOOT_MAC: clientMac, SI_CMDLINE: path.join(work, 'cmdline'), SI_POST: 'none', SI_SERVER: world.server.address, SI_DISK: disk, SI_TARGET: path.join(work, `target-${host}`), SI_LOG: path.join(work, `${host}.log`), TMPDIR: work },
      timeout: 240_000,
    });
  /** The registry as the daemon left it, read without si (si client show would record pending reports itself). */
  const registry = () => {
    const db = new Database(paths.database, { readonly: true });
    try {
      return {
        states: Object.fromEntries((db.prepare('SELECT hostname, install_state FROM clients').all() as { hostname: string; install_state: string }[]).map((r) => [r.hostname, r.install_state])),
        events: db.prepare('SELECT host, event_id, mac, state, phase, message FROM install_events ORDER BY at, id').all() as Event[],
      };
    } finally {
      db.close();
    }
  };
  const eventsOf = (host: string) => registry().events.filter((e) => e.host === host);
  /** Polls until `done` holds; the daemon records reports on its pass every 2 s. */
  const waitFor = async (what: string, done: () => boolean, ms = 30_000) => {
    const until = Date.now() + ms;
    while (!done()) {
      if (Date.now() > until) throw new Error(`${what} not seen within ${ms} ms; daemon output:\n${daemon.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const incoming = () => fs.readdirSync(reportPaths(paths).incoming);

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'si-reports-e2e-'));
    paths = homePaths(path.join(work, 'home'));
    fs.writeFileSync(path.join(work, 'cmdline'), '');
    world = await createWorld({ prefix: 'rpt' });
    const link = await run(['ip', '-n', world.client.name, '-o', 'link', 'show', 'eth0']);
    clientMac = /link\/ether ([0-9a-f:]{17})/.exec(link.stdout)?.[1] ?? '';

    const store = ImageStore.open(paths.home);
    try {
      await bookwormTree(store.incomingPath('bookworm'));
      const release = store.lock('bookworm');
      try {
        store.commitIncoming({ image: 'bookworm', origin: 'test', createdAt: new Date().toISOString(), source: 'test', sizeBytes: 0, fileCount: 0, layout: null, excludes: [], note: '' });
      } finally {
        release();
      }
    } finally {
      store.close();
    }
    const layout = path.join(work, 'layout.json');
    fs.writeFileSync(layout, JSON.stringify(GPT_LAYOUT));
    await siOk(paths.home, ['layout', 'set', '--image', 'bookworm', '--file', layout]);
    const net = ['--netmask', '255.255.255.0', '--gateway', `${world.subnet}.1`, '--image', 'bookworm'];
    await siOk(paths.home, ['addclients', '--hosts', 'node[001-002]', '--ip', `${world.subnet}.21`, ...net]);
    await siOk(paths.home, ['mkautoinstallscript', '--image', 'bookworm']);

    daemon = world.server.spawn([`${PROJECT}bin/si`, '--home', paths.home, 'rsyncd', '--foreground']);
    await waitForModules(`rsync://${world.server.address}/`, { prefix: ['ip', 'netns', 'exec', world.client.name], want: 'scripts', ms: 30_000 });
  }, 300_000);

  afterAll(async () => {
    for (const loop of loops) {
      await capture(['partx', '-d', loop]);
      await capture(['losetup', '-d', loop]);
    }
    await world?.destroy();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('records a good install: installing when the disks are touched, installed at the end; si client show says installed', async () => {
    const result = await install('node001', await loopDisk('good', '3G'));
    expect(result.exitCode, `${result.stdout}${result.stderr}\n${daemon.output()}`).toBe(0);
    expect(result.stderr).not.toContain('could not send the install report');
    // Recorded by the daemon's pass, before any si client command looks.
    await waitFor('node001 installed', () => registry().states.node001 === 'installed');
    expect(eventsOf('node001').map((e) => [e.state, e.phase, e.mac])).toEqual([
      ['installing', 'pre-install', clientMac],
      ['installed', 'report', clientMac],
    ]);
    expect(eventsOf('node001')[1]?.message).toBe('installed node001 from image bookworm');
    expect(incoming()).toEqual([]);
    expect(daemon.output()).toContain('install report: node001 installed (phase report)');

    const shown = await siOk<{ installState: string; lastInstall: { state: string; phase: string; at: string } }>(paths.home, ['client', 'show', 'node001', '--json']);
    expect(shown.installState).toBe('installed');
    expect(shown.lastInstall).toMatchObject({ state: 'installed', phase: 'report' });
    expect(Date.now() - Date.parse(shown.lastInstall.at)).toBeLessThan(10 * 60_000);
    expect(registry().states.node002).toBe('new');
  });

  it('records a layout too large for the disk as failed in phase detect, with the log tail', async () => {
    const result = await install('node002', await loopDisk('small', '64M'));
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('si: phase detect failed\n');
    await waitFor('node002 failed', () => registry().states.node002 === 'failed');
    // Nothing was touched, so no `installing`.
    const events = eventsOf('node002');
    expect(events.map((e) => [e.state, e.phase])).toEqual([['failed', 'detect']]);
    expect(events[0]?.message).toContain('is too small: the layout needs 260 MiB, the disk has 64 MiB');
    const shown = await siOk<{ installState: string; lastInstall: { state: string; phase: string } }>(paths.home, ['client', 'show', 'node002', '--json']);
    expect([shown.installState, shown.lastInstall.state, shown.lastInstall.phase]).toEqual(['failed', 'failed', 'detect']);
  });

  it('records an install whose image module cannot be read as failed in phase copy', async () => {
    // The version tree away: images/bookworm dangles, the daemon cannot enter the module.
    const version = fs.realpathSync(imageLink(paths, 'bookworm'));
    fs.renameSync(version, `${version}.away`);
    let result;
    try {
      result = await install('node001', await loopDisk('nocopy', '3G'));
    } finally {
      fs.renameSync(`${version}.away`, version);
    }
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('si: phase copy failed\n');
    await waitFor('node001 failed', () => registry().states.node001 === 'failed');
    const events = eventsOf('node001');
    expect(events.map((e) => [e.state, e.phase])).toEqual([
      ['installing', 'pre-install'],
      ['installed', 'report'],
      ['installing', 'pre-install'],
      ['failed', 'copy'],
    ]);
    expect(events.at(-1)?.message).toMatch(/@ERROR: chroot failed\nrsync error: error starting client-server protocol \(code 5\)/);
    const shown = await siOk<{ installState: string; lastInstall: { phase: string } }>(paths.home, ['client', 'show', 'node001', '--json']);
    expect([shown.installState, shown.lastInstall.phase]).toEqual(['failed', 'copy']);
  });

  it('sets aside forged uploads (wrong host, garbage, huge, unknown host) and changes nothing; the module takes plain files only and gives nothing back', async () => {
    const before = dumpRegistry(paths.home);
    const forged = path.join(work, 'forged');
    fs.mkdirSync(forged);
    const good = { event: 'f1', state: 'installed', phase: 'report', mac: '', message: '' };
    const files: Record<string, string> = {
      'node001.f1.json': JSON.stringify({ ...good, host: 'node002' }),
      'node001.f2.json': '{"host": "node001", "event": "f2", "state": "installed"',
      'node001.f3.json': JSON.stringify({ ...good, host: 'node001', event: 'f3' }).padEnd(1024 * 1024, ' '),
      'ghost.f4.json': JSON.stringify({ ...good, host: 'ghost', event: 'f4' }),
    };
    const url = `rsync://${world.server.address}/reports`;
    const inClient = (argv: string[]) => capture(['ip', 'netns', 'exec', world.client.name, ...argv], { timeout: 60_000 });
    for (const [name, content] of Object.entries(files)) {
      fs.writeFileSync(path.join(forged, name), content);
      const sent = await inClient(['rsync', '--timeout=10', path.join(forged, name), `${url}/${name}`]);
      expect(sent.exitCode, sent.stderr).toBe(0);
    }
    // A link, a tree and a read back are refused by the daemon itself.
    fs.symlinkSync('/etc/shadow', path.join(forged, 'node001.f5.json'));
    expect((await inClient(['rsync', '-l', path.join(forged, 'node001.f5.json'), `${url}/`])).stderr).toContain('refuse --links');
    expect((await inClient(['rsync', '-r', `${forged}/`, `${url}/`])).stderr).toContain('refuse --recursive');
    expect((await inClient(['rsync', `${url}/node001.f1.json`, path.join(work, 'back')])).stderr).toContain('module is write only');

    await waitFor('the forged files set aside', () => incoming().length === 0 && fs.readdirSync(reportPaths(paths).rejected).length === 4);
    expect(fs.readdirSync(reportPaths(paths).rejected).sort()).toEqual(Object.keys(files).sort());
    expect(dumpRegistry(paths.home)).toEqual(before);
    const said = daemon.output();
    expect(said).toContain('set aside in reports/rejected: the report\'s host does not match the file name\'s (node001)');
    expect(said).toContain('"node001.f2.json" set aside in reports/rejected: not JSON');
    expect(said).toContain('"node001.f3.json" set aside in reports/rejected: larger than 16384 bytes');
    expect(said).toContain('"ghost.f4.json" set aside in reports/rejected: no client named ghost in the registry');
  });
});

// si pushupdate and si drift for real: N installed clients (autoinstall copy + configure), each with its own sshd
// in its own namespace, the rsync daemon in the server's; si runs in the server namespace as an administrator
// would. The image changes (added, changed, removed, one block inside a 100 MB file, excluded paths); drift and
// dry runs change nothing; the push brings every reachable client to the image but for its own files; a client
// down and one with a full disk fail with their reason; --max-failures bounds what a broken image reaches.
import { existsSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageLink } from '../../src/core/home.js';
import { parseExcludeFile, updateExcludes } from '../../src/core/updates/excludes.js';
import { makeAutoinstallScripts } from '../../src/infra/autoinstall/make-autoinstall-scripts.js';
import { run } from '../../src/infra/run.js';
import { createRenderer } from '../../src/infra/templates.js';
import { GPT_LAYOUT } from '../infra/autoinstall/fixtures.js';
import { dumpRegistry, si } from '../support/si.js';
import { bookwormTree } from '../infra/configure/bookworm-tree.js';
import { compareDigests, ignoreDirectoryMtimes, treeDigest, type Digest, type IgnoreField } from '../world/digest.js';
import { createFleet, type Fleet, type FleetClient } from './pushupdate-fleet.js';
import { excludeMatcher } from '../support/exclude-matcher.js';

const COUNT = Number(process.env.SI_PUSHUPDATE_CLIENTS ?? 20);
const SAME = { onlyInA: [], onlyInB: [], differ: [] };
const BIG = 'srv/data/big.bin';
const BLOCK = 4096;
const REBOOT = 'var/log/si-reboot-stand-in';

/** A digest without the entries `exclude` leaves out (itself or a directory above it), as treeDigest's exclude would. */
function withoutExcluded(digest: Digest, exclude: (path: string) => boolean): Digest {
  const excluded = (path: string): boolean => exclude(path) || (path.lastIndexOf('/') > 0 && excluded(path.slice(0, path.lastIndexOf('/'))));
  return new Map([...digest].filter(([path]) => !excluded(path)));
}

describe('si pushupdate and si drift on installed clients', () => {
  let fleet: Fleet;
  const home = () => fleet.paths.home;
  const push = (...args: string[]) => si(home(), ['pushupdate', ...args], { ns: fleet.world.server, timeout: 900_000 });
  const drift = (...args: string[]) => si(home(), ['drift', ...args], { ns: fleet.world.server, timeout: 900_000 });
  const client = (n: number) => fleet.clients[n - 1] as FleetClient;
  const digests = async (clients: readonly FleetClient[]) => Promise.all(clients.map((c) => treeDigest(c.root)));
  const skipOf = (c: FleetClient) => {
    const host = parseExcludeFile(readFileSync(join(c.root, 'etc/sisuite/updateclient.exclude'), 'utf8'));
    const excluded = excludeMatcher(updateExcludes({ host, local: parseExcludeFile(readFileSync(join(c.root, 'etc/sisuite/updateclient.local.exclude'), 'utf8')) }));
    // A directory the host's plan made to hold its own files (a systemd drop-in directory) is the host's too.
    return (path: string) => path === '/etc/sisuite' || excluded(path) || host.some((own) => own.startsWith(`${path}/`));
  };
  const hostsOf = (stdout: string) => (JSON.parse(stdout) as { hosts: { host: string; result: string; reason: string; files: number | null; bytesReceived: number | null; version: string | null; stages: string[] | null }[] }).hosts;
  let full: FleetClient;
  let down: FleetClient;

  beforeAll(async () => {
    fleet = await createFleet({
      prefix: 'push',
      count: COUNT,
      setup: async (tree) => {
        await bookwormTree(tree);
        writeFileSync(join(tree, 'etc/machine-id'), '0123456789abcdef0123456789abcdef\n');
        writeFileSync(join(tree, 'etc/hostname'), 'golden\n');
        writeFileSync(join(tree, 'etc/ntp.conf'), 'server 0.pool\n');
        mkdirSync(join(tree, 'srv/data'), { recursive: true });
        writeFileSync(join(tree, 'srv/data/keep.txt'), 'kept\n');
        writeFileSync(join(tree, 'srv/data/gone.txt'), 'removed in version 2\n');
        await run(['dd', 'if=/dev/urandom', `of=${join(tree, BIG)}`, 'bs=1M', 'count=100', 'status=none']);
      },
      // The last client's disk: the installed tree and 40 MiB more; version 2 needs a second copy of the big file.
      smallDisk: { client: COUNT, spareMiB: 40 },
    });
    full = client(COUNT);
    down = client(COUNT - 1);
  }, 1_200_000);

  afterAll(async () => {
    await fleet?.destroy();
  }, 300_000);

  it('installs every client with si-updateclient and the image version it carries', () => {
    for (const c of fleet.clients) {
      expect(existsSync(join(c.root, 'usr/local/sbin/si-updateclient')), c.record.hostname).toBe(true);
      expect(statSync(join(c.root, BIG)).size).toBe(100 * 1024 * 1024);
    }
  });

  it('pushes with nothing to do: every client ok, its version recorded; si client show says so', async () => {
    const result = await push('--group', 'all', '--no-bootloader', '--json');
    expect(result.exitCode, result.stderr).toBe(0);
    const rows = hostsOf(result.stdout);
    expect(rows.map((r) => [r.host, r.result, r.version])).toEqual(fleet.clients.map((c) => [c.record.hostname, 'ok', '1']));
    for (const c of fleet.clients) expect(readFileSync(join(c.root, 'etc/sisuite/image-version'), 'utf8')).toMatch(/^SI_IMAGE=bookworm\nSI_IMAGE_VERSION=1\n/);
    const show = await si(home(), ['client', 'show', 'node001']);
    expect(show.stdout).toMatch(/^imageVersion bookworm version 1$/m);
    expect(show.stdout).toMatch(/^lastUpdate {3}ok at \S+ \(image bookworm version 1, \d+ files/m);
  }, 900_000);

  it('si drift names exactly the files changed by hand on three clients, and changes nothing', async () => {
    writeFileSync(join(client(1).root, 'etc/ntp.conf'), 'server hand.edit\n');
    writeFileSync(join(client(2).root, 'etc/ntp.conf'), 'server other.hand\n');
    writeFileSync(join(client(2).root, 'usr/local/bin/hotfix'), '#!/bin/sh\n');
    rmSync(join(client(3).root, 'srv/data/keep.txt'));
    // Excluded paths changed by hand are the host's own: not drift.
    mkdirSync(join(client(1).root, 'home/user'), { recursive: true });
    writeFileSync(join(client(1).root, 'home/user/notes'), 'mine\n');
    writeFileSync(join(client(3).root, 'etc/hostname'), 'renamed\n');
    const before = await digests(fleet.clients);
    const result = await drift('--group', 'all', '--json');
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { hosts: { host: string; added: string[]; changed: string[]; removed: string[]; error: string; version: string }[]; paths: { path: string; hosts: string[]; of: number }[] };
    expect(report.hosts.map((h) => [h.host, h.version, h.error, h.added, h.changed, h.removed])).toEqual(
      fleet.clients.map((c, index) => [
        c.record.hostname,
        '1',
        '',
        index === 1 ? ['/usr/local/bin/hotfix'] : [],
        index === 0 || index === 1 ? ['/etc/ntp.conf'] : [],
        index === 2 ? ['/srv/data/keep.txt'] : [],
      ]),
    );
    expect(report.paths[0]).toEqual({ path: '/etc/ntp.conf', kinds: ['changed'], hosts: ['node001', 'node002'], of: COUNT });
    const text = await drift('--clients', `node[001-${String(COUNT).padStart(3, '0')}]`);
    expect(text.stdout).toContain(`/etc/ntp.conf differs on 2 of ${COUNT} hosts (changed: node001,node002)\n`);
    expect(text.stdout).toContain(`/srv/data/keep.txt differs on 1 of ${COUNT} hosts (removed: node003)\n`);
    const after = await digests(fleet.clients);
    after.forEach((digest, index) => expect(compareDigests(before[index] as Digest, digest), fleet.clients[index]?.record.hostname).toEqual(SAME));
  }, 900_000);

  let removedDocs: string[] = [];
  let changedBytes = 0;

  it('a dry run of version 2 lists the changes and changes nothing; drift still compares with version 1', async () => {
    removedDocs = (await run(['ls', join(imageLink(fleet.paths, fleet.image), 'usr/share/doc')])).stdout.split('\n').filter(Boolean).slice(0, 3);
    await fleet.newVersion(async (tree) => {
      await run(['dd', 'if=/dev/urandom', `of=${join(tree, 'srv/data/new.bin')}`, 'bs=1M', 'count=8', 'status=none']);
      writeFileSync(join(tree, 'etc/ntp.conf'), 'server 1.pool\n');
      rmSync(join(tree, 'srv/data/gone.txt'));
      for (const doc of removedDocs) rmSync(join(tree, 'usr/share/doc', doc), { recursive: true });
      // One block inside the 100 MB file.
      await run(['dd', 'if=/dev/urandom', `of=${join(tree, BIG)}`, `bs=${BLOCK}`, 'count=1', 'seek=12345', 'conv=notrunc', 'status=none']);
      // Excluded on the clients: the image's own hostname and a home directory.
      writeFileSync(join(tree, 'etc/hostname'), 'golden2\n');
      mkdirSync(join(tree, 'home/imageuser'), { recursive: true });
      writeFileSync(join(tree, 'home/imageuser/file'), 'from the image\n');
    });
    changedBytes = 8 * 1024 * 1024 + 'server 1.pool\n'.length + BLOCK;
    await fleet.served();
    const before = await digests(fleet.clients);
    const dry = await push('--clients', `node[001-${String(COUNT).padStart(3, '0')}]`, '--dry-run');
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^HOST +RESULT +IMAGE +VERSION +WOULD CHANGE +RECEIVED +TIME +REASON$/m);
    for (const c of fleet.clients) expect(dry.stdout).toMatch(new RegExp(`^${c.record.hostname} +ok +bookworm `, 'm'));
    expect(dry.stderr).toContain(`${COUNT} of ${COUNT} hosts listed (dry run: nothing changed)`);
    // Not a terminal: one line per finished host on stderr.
    for (const c of fleet.clients) expect(dry.stderr).toMatch(new RegExp(`^  \\[\\d+/${COUNT}\\] ${c.record.hostname}: ok, \\d+ files, `, 'm'));
    const driftNow = JSON.parse((await drift('--clients', 'node001', '--json')).stdout) as { hosts: { version: string; changed: string[] }[] };
    expect(driftNow.hosts[0]).toMatchObject({ version: '1', changed: ['/etc/ntp.conf'] });
    const after = await digests(fleet.clients);
    // si-updateclient's dry run makes (and removes) its temporary directory in /tmp: /tmp's own mtime moves.
    const tmpMtime: IgnoreField = (path, field) => path === '/tmp' && field === 'mtime';
    after.forEach((digest, index) => expect(compareDigests(before[index] as Digest, digest, { ignore: tmpMtime }), fleet.clients[index]?.record.hostname).toEqual(SAME));
    expect(dumpRegistry(home()).client_updates).toHaveLength(COUNT);
  }, 900_000);

  it('pushes version 2 with --reboot: a client down and one with a full disk fail with their reason, the others are the image but for their own files and reboot after', async () => {
    const own = ['etc/machine-id', 'etc/hostname', 'etc/fstab', 'etc/network/interfaces', 'home/user/notes'];
    const ownBefore = fleet.clients.map((c) => Object.fromEntries(own.filter((p) => existsSync(join(c.root, p))).map((p) => [p, readFileSync(join(c.root, p), 'utf8')])));
    // reboot's stand-in (docs/updates.md: SI_UPDATECLIENT_REBOOT, here from the conf si-updateclient reads) records
    // each call and the version the tree carries at that moment. In /var/log: excluded, so the update keeps it.
    const confs = fleet.clients.map((c) => [join(c.root, 'etc/sisuite/updateclient.conf'), readFileSync(join(c.root, 'etc/sisuite/updateclient.conf'), 'utf8')] as const);
    for (const [index, c] of fleet.clients.entries()) {
      writeFileSync(join(c.root, REBOOT), '#!/bin/sh\nprintf \'reboot requested, carrying %s\\n\' "$(grep SI_IMAGE_VERSION= /etc/sisuite/image-version)" >>/var/log/si-reboots\n', { mode: 0o755 });
      writeFileSync(confs[index]?.[0] as string, `${confs[index]?.[1]}SI_UPDATECLIENT_REBOOT='/${REBOOT}'\n`);
    }
    await run(['ip', '-n', down.ns.name, 'link', 'set', 'eth0', 'down']);
    const downBefore = await treeDigest(down.root);
    const started = Date.now();
    const result = await push('--group', 'all', '--no-bootloader', '--reboot', '--timeout', '10', '--json');
    const seconds = (Date.now() - started) / 1000;
    for (const [file, text] of confs) writeFileSync(file, text);
    const reboots = (c: FleetClient) => (existsSync(join(c.root, 'var/log/si-reboots')) ? readFileSync(join(c.root, 'var/log/si-reboots'), 'utf8') : '');
    const driftDown = await drift('--clients', down.record.hostname, '--timeout', '5', '--json');
    await run(['ip', '-n', down.ns.name, 'link', 'set', 'eth0', 'up']);
    expect(driftDown.exitCode).toBe(1);
    expect((JSON.parse(driftDown.stdout) as { hosts: { error: string }[] }).hosts[0]?.error).toMatch(/^cannot reach root@/);
    expect(driftDown.stderr).toBe('si: 1 of 1 hosts could not be checked: see the table for each reason\n');
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toBe(`si: 2 of ${COUNT} hosts failed: see the table for each reason, fix, and run si pushupdate again for them\n`);
    const rows = hostsOf(result.stdout);
    const byHost = new Map(rows.map((r) => [r.host, r]));
    expect(byHost.get(down.record.hostname)).toMatchObject({ result: 'failed' });
    expect(byHost.get(down.record.hostname)?.reason).toMatch(new RegExp(`^cannot reach root@${down.record.ip.replace(/\./g, '\\.')}: `));
    expect(byHost.get(full.record.hostname)).toMatchObject({ result: 'failed' });
    expect(byHost.get(full.record.hostname)?.reason).toMatch(/^no space left on the client: /);
    expect(compareDigests(downBefore, await treeDigest(down.root), { ignore: (path) => path === `/${REBOOT}` || path === '/etc/sisuite/updateclient.conf' })).toEqual(SAME);
    // No reboot where the update did not complete.
    expect(reboots(down)).toBe('');
    expect(reboots(full)).toBe('');
    // The image's digest once; each client's comparison leaves out what that client excludes.
    const imageDigest = await treeDigest(realpathSync(imageLink(fleet.paths, fleet.image)));
    for (const [index, c] of fleet.clients.entries()) {
      if (c === down || c === full) continue;
      const row = byHost.get(c.record.hostname);
      // The script's result line was read (no 'no result line'), its numbers those of rsync's itemized list and stats.
      expect(row, c.record.hostname).toMatchObject({ result: 'ok', version: '2', reason: '' });
      expect(row?.files ?? 0).toBeGreaterThanOrEqual(2 + removedDocs.length);
      // Bytes received by the client (rsync's stats): the changed data, the file list and the block's neighbourhood.
      expect(row?.bytesReceived ?? Infinity, c.record.hostname).toBeLessThanOrEqual(1.1 * changedBytes);
      expect(row?.bytesReceived ?? 0).toBeGreaterThanOrEqual(8 * 1024 * 1024);
      const skip = skipOf(c);
      expect(compareDigests(withoutExcluded(imageDigest, skip), await treeDigest(c.root, { exclude: skip }), { ignore: ignoreDirectoryMtimes }), c.record.hostname).toEqual(SAME);
      // Only the stages whose inputs changed re-ran: this update touched none (user-exits: no site scripts).
      expect(row?.stages, c.record.hostname).toEqual([]);
      for (const [path, text] of Object.entries(ownBefore[index] ?? {})) expect(readFileSync(join(c.root, path), 'utf8'), `${c.record.hostname} ${path}`).toBe(text);
      expect(existsSync(join(c.root, 'home/imageuser')), c.record.hostname).toBe(false);
      // Asked to reboot once, after the update was complete (the tree already said version 2).
      expect(reboots(c), c.record.hostname).toBe('reboot requested, carrying SI_IMAGE_VERSION=2\n');
      for (const doc of removedDocs) expect(existsSync(join(c.root, 'usr/share/doc', doc))).toBe(false);
    }
    const show = await si(home(), ['client', 'show', full.record.hostname]);
    expect(show.stdout).toMatch(/^lastUpdate {3}failed at \S+: no space left on the client: /m);
    expect(show.stdout).toMatch(/^imageVersion bookworm version 1$/m);
    console.log(`pushupdate of ${COUNT} clients (2 failing): ${seconds.toFixed(1)} s; bytes received ${rows.map((r) => r.bytesReceived).join(' ')} for ${changedBytes} changed`);
  }, 900_000);

  it('bad input: one clear line each', async () => {
    const unknownRange = await push('--clients', 'node[900-901]');
    expect(unknownRange.exitCode).toBe(2);
    expect(unknownRange.stderr).toBe("si: no client named node900 (and 1 more): see 'si client list', or add it with 'si addclients'\n");
    const unknownGroup = await push('--group', 'nosuch');
    expect(unknownGroup.exitCode).toBe(2);
    expect(unknownGroup.stderr).toBe("si: no group named nosuch: see 'si group list'\n");
    const neither = await drift();
    expect(neither.exitCode).toBe(2);
    expect(neither.stderr).toBe('si: name the clients: --clients RANGE (e.g. node[001-040]) or --group NAME\n');
    const noImage = await push('--clients', 'node001', '--image', 'nosuch');
    expect(noImage.exitCode).toBe(2);
    expect(noImage.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(noImage.stderr).toMatch(/^si: .*nosuch/);

    // A client the registry gives another image than the one it carries.
    // Image `other`: bookworm as it is now, plus a marker (a whole system: a move to it must leave a working host).
    await fleet.newVersion(async (tree) => {
      await run(['cp', '-a', `${realpathSync(imageLink(fleet.paths, fleet.image))}/.`, `${tree}/`]);
      writeFileSync(join(tree, 'marker'), 'other\n');
    }, 'other');
    expect((await si(home(), ['client', 'set', 'node001', '--image', 'other'])).exitCode).toBe(0);
    const before = await treeDigest(client(1).root);
    const mismatch = await push('--clients', 'node001', '--json');
    await si(home(), ['client', 'set', 'node001', '--image', fleet.image]);
    expect(mismatch.exitCode).toBe(1);
    expect(hostsOf(mismatch.stdout)[0]?.reason).toBe('node001 carries image bookworm, not other: give --image other to move it to other, or --image bookworm to update it within bookworm');
    expect(compareDigests(before, await treeDigest(client(1).root))).toEqual(SAME);

    // The image server unreachable from the client.
    const conf = join(client(2).root, 'etc/sisuite/updateclient.conf');
    const confText = readFileSync(conf, 'utf8');
    writeFileSync(conf, confText.replace(/^SI_SERVER='[^']*'$/m, `SI_SERVER='${fleet.world.subnet}.250'`));
    const unreachable = await push('--clients', 'node002', '--json');
    writeFileSync(conf, confText);
    expect(unreachable.exitCode).toBe(1);
    expect(hostsOf(unreachable.stdout)[0]?.reason).toMatch(new RegExp(`^cannot reach the image server ${fleet.world.subnet}\\.250 over rsync .*; nothing changed`));

    // A client without si-updateclient.
    const script = join(client(3).root, 'usr/local/sbin/si-updateclient');
    renameSync(script, `${script}.away`);
    const missing = await push('--clients', 'node003', '--json');
    renameSync(`${script}.away`, script);
    expect(missing.exitCode).toBe(1);
    expect(hostsOf(missing.stdout)[0]?.reason).toBe('no /usr/local/sbin/si-updateclient on this client: reinstall it, or copy the script from an installed client (docs/updates.md)');
    for (const r of [mismatch, unreachable, missing]) expect(r.stderr).toBe('si: 1 of 1 hosts failed: see the table for each reason, fix, and run si pushupdate again for them\n');
  }, 900_000);

  it('--max-failures 1 with a broken image: at most --parallel hosts touched, the others untouched', async () => {
    // Broken: /etc/sisuite a file in the image, where every client keeps its own files in that directory.
    await fleet.newVersion((tree) => {
      rmSync(join(tree, 'etc/sisuite'), { recursive: true, force: true });
      writeFileSync(join(tree, 'etc/sisuite'), 'not a directory\n');
      writeFileSync(join(tree, 'etc/ntp.conf'), 'server 3.pool\n');
    });
    await fleet.served();
    const before = await digests(fleet.clients);
    const result = await push('--group', 'all', '--no-bootloader', '--parallel', '2', '--max-failures', '1', '--json');
    expect(result.exitCode).toBe(1);
    const rows = hostsOf(result.stdout);
    const touched = rows.filter((r) => r.result !== 'skipped');
    expect(touched.length).toBeGreaterThanOrEqual(1);
    expect(touched.length).toBeLessThanOrEqual(2);
    expect(touched.some((r) => r.result === 'failed')).toBe(true);
    expect(result.stderr).toMatch(new RegExp(`, ${COUNT - touched.length} not started \\(--max-failures 1\\)`));
    const after = await digests(fleet.clients);
    for (const [index, row] of rows.entries()) {
      if (row.result !== 'skipped') continue;
      expect(row.reason).toBe('not started: 1 hosts failed (--max-failures 1)');
      expect(compareDigests(before[index] as Digest, after[index] as Digest), row.host).toEqual(SAME);
    }
  }, 900_000);

  it('--image moves a client to another image: refused without it, then updated from that image and its conf rewritten', async () => {
    const c = client(4);
    expect((await si(home(), ['client', 'set', c.record.hostname, '--image', 'other'])).exitCode).toBe(0);
    // As an administrator would: the host's scripts follow its new image (the update re-runs their stages).
    await makeAutoinstallScripts({ paths: fleet.paths, image: 'other', imageTree: imageLink(fleet.paths, 'other'), layout: GPT_LAYOUT, clients: [{ ...c.record, image: 'other' }], renderer: createRenderer() });
    await fleet.served('other');
    const refused = await push('--clients', c.record.hostname, '--no-bootloader', '--json');
    expect(refused.exitCode).toBe(1);
    expect(hostsOf(refused.stdout)[0]?.reason).toBe(`${c.record.hostname} carries image bookworm, not other: give --image other to move it to other, or --image bookworm to update it within bookworm`);
    expect(existsSync(join(c.root, 'marker'))).toBe(false);
    const moved = await push('--clients', c.record.hostname, '--image', 'other', '--no-bootloader', '--json');
    expect(moved.exitCode, moved.stderr).toBe(0);
    expect(hostsOf(moved.stdout)[0]).toMatchObject({ result: 'ok', image: 'other', version: '1', reason: '' });
    expect(readFileSync(join(c.root, 'marker'), 'utf8')).toBe('other\n');
    expect(readFileSync(join(c.root, 'etc/sisuite/updateclient.conf'), 'utf8')).toContain("SI_IMAGE='other'\n");
    expect(readFileSync(join(c.root, 'etc/sisuite/image-version'), 'utf8')).toMatch(/^SI_IMAGE=other\nSI_IMAGE_VERSION=1\n/);
    // From now on it is a client of `other`: a plain push needs no --image, and drift compares with other's version 1.
    const again = await push('--clients', c.record.hostname, '--no-bootloader', '--json');
    expect(again.exitCode, again.stderr).toBe(0);
    const report = JSON.parse((await drift('--clients', c.record.hostname, '--json')).stdout) as { hosts: { image: string; version: string; added: string[]; changed: string[]; removed: string[] }[] };
    expect(report.hosts[0]).toEqual(expect.objectContaining({ image: 'other', version: '1', added: [], changed: [], removed: [] }));
  }, 900_000);

  it('on a terminal, one progress line rewritten in place, then the table', async () => {
    // The CLI on a pseudo-terminal (Python's pty module, argv only), read to the end.
    const ptyRun = [
      'import json, os, pty, sys',
      'pid, fd = pty.fork()',
      'if pid == 0:',
      '    os.execvp(sys.argv[1], sys.argv[1:])',
      "out = b''",
      'while True:',
      '    try:',
      '        chunk = os.read(fd, 65536)',
      '    except OSError:',
      '        break',
      '    if not chunk:',
      '        break',
      '    out += chunk',
      '_, status = os.waitpid(pid, 0)',
      "print(json.dumps({'output': out.decode('utf8', 'replace'), 'code': os.waitstatus_to_exitcode(status)}))",
    ].join('\n');
    const argv = ['ip', 'netns', 'exec', fleet.world.server.name, process.execPath, join(import.meta.dirname, '../../bin/si'), '--home', home(), 'pushupdate', '--clients', 'node004', '--dry-run'];
    const result = await run(['timeout', '300', 'python3', '-c', ptyRun, ...argv]);
    const { output, code } = JSON.parse(result.stdout) as { output: string; code: number };
    expect(code, output).toBe(0);
    expect(output).toContain('\r\x1b[K  0/1 done, 1 running, 0 failed');
    expect(output).toContain('\r\x1b[K  1/1 done, 0 running, 0 failed');
    expect(output).toMatch(/HOST +RESULT +IMAGE +VERSION +WOULD CHANGE/);
    expect(output).toContain('1 of 1 hosts listed (dry run: nothing changed)');
  }, 300_000);
});

// si configure on a copy of a captured image (no /dev content): chrooted commands run with /dev, /proc, /sys
// mounted, and no mount is left below the root, after success, failure, SIGTERM and kill -9. A running
// system's root is refused.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minbaseTree } from '../world/debootstrap-cache.js';
import { compareDigests, treeDigest } from '../world/digest.js';
import { run, succeeds } from '../../src/infra/run.js';
import { PROJECT, dumpRegistry, si, siOk } from '../support/si.js';
import { makeImageFromTree } from '../support/images.js';
import { eventually } from '../support/wait.js';

const mountsBelow = (dir: string) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mountPoint) => mountPoint === dir || mountPoint.startsWith(`${dir}/`));


/** A chrooted ssh-keygen that says it started (with its pid) and then waits: a command to interrupt. */
const HANGING_KEYGEN = '#!/bin/sh\necho $$ > /started\nexec sleep 120\n';
const FAILING_KEYGEN = '#!/bin/sh\necho "ssh-keygen: simulated failure" >&2\nexit 3\n';

describe('si configure --root on a copy of a captured image', () => {
  let work: string;
  let home: string;
  let captured: string;
  const orphans: number[] = [];

  /** A copy of the image as a capture leaves it: /dev, /proc, /sys empty. */
  const copyOfCapture = async (name: string): Promise<string> => {
    const root = join(work, name);
    await run(['cp', '-a', captured, root]);
    return root;
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'si-cfg-guards-'));
    home = join(work, 'home');
    captured = join(work, 'captured');
    await minbaseTree(captured);
    for (const dir of ['dev', 'proc', 'sys']) {
      await run(['rm', '-rf', join(captured, dir)]);
      mkdirSync(join(captured, dir));
    }
    const image = join(work, 'image');
    await run(['cp', '-a', captured, image]);
    makeImageFromTree(home, 'bookworm', image);
    const macs = join(work, 'macs.csv');
    writeFileSync(macs, 'node01,52:54:00:ab:00:01\n');
    await siOk(home, ['addclients', '--hosts', 'node01', '--ip', '10.41.0.11', '--gateway', '10.41.0.1', '--image', 'bookworm', '--macs', macs]);
  }, 300_000);

  afterAll(async () => {
    for (const pid of orphans) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (!work) return;
    for (const mountPoint of mountsBelow(work).reverse()) await succeeds(['umount', '-l', mountPoint]);
    rmSync(work, { recursive: true, force: true });
  });

  it('passes every stage, chrooted commands included, and leaves no mount below the root', async () => {
    const root = await copyOfCapture('node01');
    expect(readdirSync(join(root, 'dev'))).toEqual([]);
    const result = await si(home, ['configure', '--root', root, '--host', 'node01', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const { changes } = JSON.parse(result.stdout) as { changes: { action: string; argv?: string[] }[] };
    const commands = changes.filter((change) => change.action === 'command');
    expect(commands.map((c) => c.argv?.[0])).toContain('ssh-keygen');
    expect(readFileSync(join(root, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8')).toMatch(/^ssh-ed25519 /);
    expect(readFileSync(join(root, 'etc/hostname'), 'utf8')).toBe('node01\n');
    expect(mountsBelow(root)).toEqual([]);
    expect(readdirSync(join(root, 'dev'))).toEqual([]);
  });

  it('removes the mounts when a chrooted command fails, and says which command failed in one line', async () => {
    const root = await copyOfCapture('failing');
    writeFileSync(join(root, 'usr/bin/ssh-keygen'), FAILING_KEYGEN);
    chmodSync(join(root, 'usr/bin/ssh-keygen'), 0o755);
    const result = await si(home, ['configure', '--root', root, '--host', 'node01']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
    expect(result.stderr).toMatch(/chroot exited with 3: ssh-keygen: simulated failure/);
    expect(mountsBelow(root)).toEqual([]);
  });

  it('removes the mounts when si is stopped with SIGTERM during a chrooted command', async () => {
    const root = await copyOfCapture('sigterm');
    writeFileSync(join(root, 'usr/bin/ssh-keygen'), HANGING_KEYGEN);
    chmodSync(join(root, 'usr/bin/ssh-keygen'), 0o755);
    const child = spawn(join(PROJECT, 'bin/si'), ['--home', home, 'configure', '--root', root, '--host', 'node01'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    await eventually('the chrooted command to start', () => existsSync(join(root, 'started')));
    orphans.push(Number(readFileSync(join(root, 'started'), 'utf8')));
    expect(mountsBelow(root).length).toBe(3);
    child.kill('SIGTERM');
    expect(await exited).toBe(130);
    expect(stderr.trim().split('\n'), stderr).toHaveLength(1);
    expect(stderr).toMatch(/^si: stopped by a signal/);
    expect(mountsBelow(root)).toEqual([]);
  });

  it('after a kill -9, the next run removes the mounts the killed one left, and says so', async () => {
    const root = await copyOfCapture('sigkill');
    const keygen = join(root, 'usr/bin/ssh-keygen');
    const original = readFileSync(keygen);
    writeFileSync(keygen, HANGING_KEYGEN);
    chmodSync(keygen, 0o755);
    const child = spawn(join(PROJECT, 'bin/si'), ['--home', home, 'configure', '--root', root, '--host', 'node01'], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    await eventually('the chrooted command to start', () => existsSync(join(root, 'started')));
    const orphan = Number(readFileSync(join(root, 'started'), 'utf8'));
    orphans.push(orphan);
    child.kill('SIGKILL');
    await exited;
    expect(mountsBelow(root).length).toBe(3);
    process.kill(orphan, 'SIGKILL');
    writeFileSync(keygen, original);
    const result = await si(home, ['configure', '--root', root, '--host', 'node01']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/removed .*\/dev, left mounted by an interrupted si configure/);
    expect(mountsBelow(root)).toEqual([]);
  });

  it('refuses / by any path, and a bind mount of /, in one line, changing nothing', async () => {
    const bind = join(work, 'bind-of-root');
    mkdirSync(bind);
    await run(['mount', '--bind', '/', bind]);
    const link = join(work, 'link-to-root');
    symlinkSync('/', link);
    const registry = dumpRegistry(home);
    const watched = ['/etc/hostname', '/etc/machine-id', ...readdirSync('/etc/ssh').filter((f) => f.startsWith('ssh_host_')).map((f) => `/etc/ssh/${f}`)];
    const before = watched.map((path) => (existsSync(path) ? readFileSync(path, 'utf8') : null));
    // The mounts a configure of / would add (the running system's own mount points, or under this test's
    // folder); the rest of the host's mount table is other processes' business on a busy machine.
    const ourMounts = () =>
      readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .filter((line) => {
          const point = line.split(' ')[4] ?? '';
          return point.startsWith(work) || ['/', '/proc', '/sys', '/dev', '/dev/pts', '/run', '/tmp', '/boot', '/boot/efi'].includes(point);
        });
    const mountsBefore = ourMounts().filter((line) => !line.includes('bind-of-root'));
    try {
      for (const root of ['/', '/.', '//etc/..', link, bind]) {
        for (const extra of [[], ['--dry-run']]) {
          const result = await si(home, ['configure', '--root', root, '--host', 'node01', '--boot-disk', '/dev/vda', ...extra]);
          expect(result.exitCode, root).toBe(2);
          const lines = result.stderr.trim().split('\n');
          expect(lines, result.stderr).toHaveLength(1);
          expect(lines[0]).toMatch(/^si: root .* is the running system: .*--i-mean-the-running-system$/);
          expect(result.stdout).toBe('');
        }
      }
    } finally {
      await run(['umount', bind]);
    }
    expect(watched.map((path) => (existsSync(path) ? readFileSync(path, 'utf8') : null))).toEqual(before);
    expect(dumpRegistry(home)).toEqual(registry);
    expect(ourMounts()).toEqual(mountsBefore);
  });

  it('refuses the root of another running process, and a /dev that is a symlink out of the tree', async () => {
    const root = await copyOfCapture('in-use');
    const holder = spawn('chroot', [root, '/bin/sleep', '120'], { stdio: 'ignore' });
    try {
      await eventually('the chrooted process to start', () => {
        try {
          return readFileSync(`/proc/${holder.pid}/cmdline`, 'utf8').startsWith('/bin/sleep');
        } catch {
          return false;
        }
      });
      const before = await treeDigest(root);
      const result = await si(home, ['configure', '--root', root, '--host', 'node01']);
      expect(result.exitCode).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(new RegExp(`is the root of running process ${holder.pid}:`));
      expect(compareDigests(await treeDigest(root), before)).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
    } finally {
      holder.kill('SIGKILL');
    }
    const escaping = await copyOfCapture('dev-link');
    rmSync(join(escaping, 'dev'), { recursive: true });
    symlinkSync('/tmp', join(escaping, 'dev'));
    const result = await si(home, ['configure', '--root', escaping, '--host', 'node01']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/\/dev is a symlink: si configure mounts devtmpfs there/);
    expect(mountsBelow('/tmp').filter((m) => !m.startsWith(work))).toEqual(mountsBelow('/tmp').filter((m) => !m.startsWith(work)));
    expect(mountsBelow(escaping)).toEqual([]);
  });
});

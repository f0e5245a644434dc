// si mkimage: an image from Debian packages with debootstrap, from this machine's own apt mirror.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync, readlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountPointsBelow, unmountBelow } from '../../src/infra/fs/mounts.js';
import { run } from '../../src/infra/run.js';
import { spawnDaemon } from '../world/daemon.js';
import { treeDigest, compareDigests } from '../world/digest.js';
import { waitFor } from '../support/wait.js';
import { dumpRegistry, ensureBuilt, PROJECT, si, siOk } from '../support/si.js';

describe('si mkimage', () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'si-mkimage-'));
  });
  afterAll(async () => {
    // Whatever a failing test left mounted (debootstrap's /proc) goes before the tree.
    await unmountBelow(home);
    rmSync(home, { recursive: true, force: true });
  });

  it('builds a bookworm image with extra packages, a layout and a registry version, showing progress', async () => {
    const built = await si(home, ['mkimage', '--image', 'built', '--suite', 'bookworm', '--include', 'ifupdown'], { timeout: 600_000 });
    expect(built.exitCode, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/^built built version 1 from debootstrap bookworm \+ifupdown$/m);
    // Not a terminal: plain progress lines, rising, through debootstrap's stages.
    const percents = [...built.stderr.matchAll(/^ {2}(\d+)% {2}(\w+)/gm)].map((m) => [Number(m[1]), m[2]] as const);
    expect(percents.length, built.stderr).toBeGreaterThanOrEqual(5);
    expect(percents.map(([p]) => p)).toEqual([...percents.map(([p]) => p)].sort((a, b) => a - b));
    expect(percents.map(([, verb]) => verb)).toContain('retrieving');
    expect(percents.some(([, verb]) => verb === 'unpacking' || verb === 'configuring'), built.stderr).toBe(true);
    const versions = await siOk<{ number: number; source: string }[]>(home, ['image', 'versions', 'built', '--json']);
    expect(versions.map((v) => [v.number, v.source])).toEqual([[1, 'debootstrap bookworm +ifupdown']]);
    const tree = join(home, 'images/built');
    expect(readlinkSync(tree)).toBe('../versions/built/1');
    expect(readFileSync(join(tree, 'etc/debian_version'), 'utf8')).toMatch(/^12\./);
    expect(existsSync(join(tree, 'sbin/ifup'))).toBe(true);
    const layout = JSON.parse(readFileSync(join(tree, 'etc/sisuite/layout.json'), 'utf8'));
    expect(layout.filesystems).toEqual([expect.objectContaining({ mountpoint: '/', fstype: 'ext4', local: true })]);
    const shown = await siOk<{ source: string }>(home, ['layout', 'show', '--image', 'built', '--json']);
    expect(shown.source).toBe('standard');
  }, 600_000);

  it('refuses a bad suite or package name before running anything', async () => {
    const before = dumpRegistry(home);
    for (const [args, message] of [
      [['--suite', 'bookworm;id'], /invalid suite/],
      [['--suite', 'bookworm', '--include', 'rsync,bad pkg'], /invalid package name "bad pkg"/],
      [['--suite', 'bookworm', '--variant', 'huge'], /variant/],
    ] as const) {
      const result = await si(home, ['mkimage', '--image', 'other', ...args]);
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toMatch(message);
    }
    expect(dumpRegistry(home)).toEqual(before);
  });

  it('gives debootstrap\'s own reason for a bad mirror and leaves nothing behind', async () => {
    // Rows only: whether a registry file exists before the first write is not this test's concern.
    const rows = () => Object.fromEntries(Object.entries(dumpRegistry(home)).filter(([, r]) => r.length > 0));
    const before = rows();
    // The store's own directory is no leftover (it exists once anything was built: not so when run alone).
    mkdirSync(join(home, 'versions'), { recursive: true });
    const tree = await treeDigest(home, { exclude: (p) => p.startsWith('/sisuite.db') });
    for (const mirror of ['http://127.0.0.1:1/', 'file:///nonexistent']) {
      const result = await si(home, ['mkimage', '--image', 'broken', '--suite', 'bookworm', '--mirror', mirror]);
      expect(result.exitCode, result.stderr).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines.filter((l) => l.startsWith('si: '))).toHaveLength(1);
      expect(lines.at(-1)).toMatch(/^si: debootstrap could not build bookworm from \S+ \(exit 1\): Failed getting release file \S+\/dists\/bookworm\/Release; check --mirror and --suite$/);
      expect(lines.at(-1)).toContain(mirror.replace(/\/$/, ''));
      expect(existsSync(join(home, 'versions/broken'))).toBe(false);
      expect(rows()).toEqual(before);
    }
    const ignore = (path: string, field: string) => (path === '/' || path === '/versions') && field === 'mtime';
    const after = await treeDigest(home, { exclude: (p) => p.startsWith('/sisuite.db') });
    expect(compareDigests(after, tree, { ignore })).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
  });

  it('removes what a killed mkimage left with si image rm, which --dry-run only lists', async () => {
    // A mirror that accepts and never answers: debootstrap waits on it until it is killed.
    const sockets: Socket[] = [];
    const server: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await ensureBuilt();
    const running = spawnDaemon([`${PROJECT}bin/si`, '--home', home, 'mkimage', '--image', 'left', '--suite', 'bookworm', '--mirror', `http://127.0.0.1:${port}/`]);
    try {
      const started = await waitFor(() => sockets.length > 0 && existsSync(join(home, 'versions/left/.incoming/debootstrap')), 60_000);
      expect(started, running.output()).toBe(true);
      process.kill(-running.pid, 'SIGKILL');
      await running.exited;
    } finally {
      await running.stop();
      for (const socket of sockets) socket.destroy();
      server.close();
    }
    expect(existsSync(join(home, 'versions/left/.incoming'))).toBe(true);
    // A build killed in its second stage leaves debootstrap's /proc mounted in the tree: stand one in.
    const proc = join(home, 'versions/left/.incoming/proc');
    mkdirSync(proc, { recursive: true });
    await run(['mount', '-t', 'proc', 'si-test-proc', proc]);
    const before = dumpRegistry(home);

    const listed = await siOk<{ registered: boolean; paths: string[]; dryRun: boolean }>(home, ['image', 'rm', 'left', '--dry-run', '--json']);
    expect(listed).toMatchObject({ registered: false, dryRun: true, paths: [join(home, 'versions/left/.incoming')] });
    expect(existsSync(join(home, 'versions/left/.incoming'))).toBe(true);

    const removed = await si(home, ['image', 'rm', 'left']);
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(removed.stdout).toContain('removed what failed or interrupted work left of left');
    expect(existsSync(join(home, 'versions/left'))).toBe(false);
    expect(mountPointsBelow(home)).toEqual([]);
    expect(dumpRegistry(home)).toEqual(before);
    const again = await si(home, ['image', 'rm', 'left']);
    expect(again.stderr.trim()).toMatch(/^si: no image named left/);
  }, 120_000);
});

describe('si mkimage stopped', () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'si-mkimage-stop-'));
  });
  afterAll(async () => {
    await unmountBelow(home);
    rmSync(home, { recursive: true, force: true });
  });

  it('removes its partial build and what is mounted in it when stopped with SIGTERM, and says so in one line', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await ensureBuilt();
    const running = spawnDaemon([`${PROJECT}bin/si`, '--home', home, 'mkimage', '--image', 'stopped', '--suite', 'bookworm', '--mirror', `http://127.0.0.1:${port}/`]);
    let exit: { code: number | null } | undefined;
    try {
      const started = await waitFor(() => sockets.length > 0 && existsSync(join(home, 'versions/stopped/.incoming/debootstrap')), 60_000);
      expect(started, running.output()).toBe(true);
      // As if debootstrap had reached its second stage: a /proc mounted in the target.
      const proc = join(home, 'versions/stopped/.incoming/proc');
      mkdirSync(proc, { recursive: true });
      await run(['mount', '-t', 'proc', 'si-test-proc', proc]);
      process.kill(running.pid, 'SIGTERM');
      exit = await running.exited;
    } finally {
      await running.stop();
      for (const socket of sockets) socket.destroy();
      server.close();
    }
    expect(exit?.code, running.output()).toBe(130);
    const lines = running.output().trim().split('\n').filter((line) => line.startsWith('si: '));
    expect(lines).toEqual(['si: si mkimage was stopped: the partial build of stopped was removed']);
    expect(mountPointsBelow(home)).toEqual([]);
    expect(existsSync(join(home, 'versions/stopped'))).toBe(false);
  }, 120_000);
});


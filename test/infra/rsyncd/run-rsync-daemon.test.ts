// The real rsync daemon on 127.0.0.1 (a fresh port per test), driven by runRsyncDaemon.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HomePaths } from '../../../src/core/home.js';
import { rsyncdPaths } from '../../../src/core/rsyncd/index.js';
import { RsyncDaemonError, runRsyncDaemon, writeRsyncdConf, type RsyncdEvent } from '../../../src/infra/rsyncd/index.js';
import { capture } from '../../../src/infra/run.js';
import { createRenderer } from '../../../src/infra/templates.js';
import { addImageVersion, freePort, makeHome, waitForModules } from './rsyncd-fixtures.js';

describe('runRsyncDaemon', () => {
  let dir: string;
  let paths: HomePaths;
  let controller: AbortController;
  let running: Promise<void> | undefined;
  let images: string[];
  let events: RsyncdEvent[];

  const reload = () => writeRsyncdConf({ paths, renderer: createRenderer(), clients: [], images });

  const start = (options: { port: number; address?: string; wrapper?: string[]; reload?: () => Promise<boolean> | boolean }) => {
    running = runRsyncDaemon({
      paths,
      address: options.address ?? '127.0.0.1',
      port: options.port,
      reload: options.reload ?? reload,
      signal: controller.signal,
      wrapper: options.wrapper,
      pollMs: 300,
      onEvent: (event) => events.push(event),
    });
    return running;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'si-rsyncd-run-'));
    paths = makeHome(dir);
    addImageVersion(paths, 'demo', 1, 'one');
    images = ['demo'];
    events = [];
    controller = new AbortController();
    running = undefined;
  });

  afterEach(async () => {
    controller.abort();
    await running?.catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the images, picks up a new image without a restart, and stops when aborted', async () => {
    const port = await freePort();
    void start({ port });
    const url = `rsync://127.0.0.1:${port}/`;
    expect(await waitForModules(url)).toEqual(['demo', 'scripts', 'overrides', 'boot']);

    addImageVersion(paths, 'extra', 1, 'x');
    images.push('extra');
    expect(await waitForModules(url, { want: 'extra' })).toContain('extra');
    const pulled = path.join(dir, 'pulled');
    expect((await capture(['rsync', '-a', `${url}extra/`, `${pulled}/`])).exitCode).toBe(0);
    expect(fs.readFileSync(path.join(pulled, 'etc/hostname'), 'utf8')).toBe('extra-x\n');
    expect(events.filter((e) => e.type === 'started')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'reloaded')).toHaveLength(1);

    const began = Date.now();
    controller.abort();
    await expect(running).resolves.toBeUndefined();
    // Stopped by the abort, not by a test timeout: far below the 600 s bound even on a loaded machine.
    expect(Date.now() - began).toBeLessThan(60_000);
    const after = await capture(['rsync', '--contimeout=2', url]);
    expect(after.exitCode).not.toBe(0);
    expect(after.stderr).toMatch(/Connection refused/);
  });

  it('refuses a host outside hosts allow and a write to a module', async () => {
    const port = await freePort();
    void start({ port });
    const url = `rsync://127.0.0.1:${port}/`;
    await waitForModules(url);
    // 127.0.0.2 is on lo too, but only 127.0.0.1 and ::1 are allowed while there are no clients.
    const stranger = await capture(['rsync', '--address=127.0.0.2', `${url}demo/`]);
    expect(stranger.exitCode).toBe(5);
    expect(stranger.stderr).toMatch(/@ERROR: access denied to demo from \S+ \(127\.0\.0\.2\)/);

    const file = path.join(dir, 'intruder');
    fs.writeFileSync(file, 'x');
    const push = await capture(['rsync', file, `${url}demo/`]);
    expect(push.exitCode).not.toBe(0);
    expect(push.stderr).toMatch(/module is read only/);
    expect(fs.existsSync(path.join(paths.images, 'demo', 'intruder'))).toBe(false);
  });

  it('keeps serving the last good file when a reload fails', async () => {
    const port = await freePort();
    let calls = 0;
    void start({
      port,
      reload: () => {
        calls += 1;
        if (calls > 1) throw new Error('registry is locked');
        return reload();
      },
    });
    const url = `rsync://127.0.0.1:${port}/`;
    await waitForModules(url);
    // The second pass (every 300 ms) fails; wait for it, within a bound that only a stuck loop exceeds.
    const deadline = Date.now() + 60_000;
    const failed = () => events.some((e) => e.type === 'reload-failed' && e.message === 'registry is locked');
    while (!failed() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(failed()).toBe(true);
    expect(await waitForModules(url)).toContain('demo');
  });

  it('says started only once the daemon listens: a connection made at that moment is accepted', async () => {
    const port = await freePort();
    let connected: Promise<boolean> | undefined;
    running = runRsyncDaemon({
      paths,
      address: '127.0.0.1',
      port,
      reload,
      signal: controller.signal,
      onEvent: (event) => {
        events.push(event);
        if (event.type !== 'started') return;
        connected = new Promise((resolve) => {
          const socket = net.connect(port, '127.0.0.1', () => resolve(true));
          socket.on('error', () => resolve(false));
          socket.on('data', () => socket.destroy());
        });
      },
    });
    const deadline = Date.now() + 20_000;
    while (!connected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await connected).toBe(true);
    expect(events.filter((e) => e.type === 'started')).toEqual([expect.objectContaining({ port })]);
  });

  it('fails with one line when the port is taken', async () => {
    const port = await freePort();
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const error = await start({ port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RsyncDaemonError);
      expect((error as Error).message).toBe(
        `port ${port} on 127.0.0.1 is already in use (another rsync daemon?): stop that program or give si rsyncd another --port`,
      );
      expect((error as RsyncDaemonError).logTail.join('\n')).toMatch(/bind\(\) failed: Address already in use/);
      expect(events.map((e) => e.type)).not.toContain('started');
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('fails with one line when the address is not one of this host', async () => {
    const error = await start({ port: await freePort(), address: '192.0.2.77' }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('192.0.2.77 is not an address of this server: give one of its own addresses with --address');
  });

  it('reports a daemon that dies while serving, with its log tail', async () => {
    const port = await freePort();
    const pidFile = path.join(dir, 'daemon.pid');
    // The wrapper records the daemon's pid and then becomes the daemon (exec keeps the pid).
    void start({ port, wrapper: ['sh', '-c', 'echo $$ > "$0"; exec "$@"', pidFile] });
    await waitForModules(`rsync://127.0.0.1:${port}/`);
    process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
    const error = await (running as Promise<void>).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RsyncDaemonError);
    expect((error as Error).message).toMatch(/^the rsync daemon was killed: .* \(log: .*\/log\/rsyncd\.log\)$/);
    expect((error as RsyncDaemonError).logTail.join('\n')).toMatch(/module-list request from/);
    expect(fs.readFileSync(rsyncdPaths(paths).log, 'utf8')).toMatch(/rsyncd version \S+ starting, listening on port/);
  });

  it('does not start when already aborted', async () => {
    controller.abort();
    await expect(start({ port: await freePort() })).resolves.toBeUndefined();
    expect(events).toEqual([]);
  });
});

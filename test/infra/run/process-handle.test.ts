// startProcess: a daemon's handle: ready (a line on stderr, its own listening socket), reload, stop, exit.
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { listensOn, startProcess } from '../../../src/infra/run.js';

const DAEMON = fileURLToPath(new URL('./fixtures/daemon.mjs', import.meta.url));
const BOUND = { timeoutMs: 20_000 };

const portOf = (tail: string): number => Number(/listening on (\d+)/.exec(tail)?.[1] ?? 0);

describe('startProcess', () => {
  it('waits until the daemon listens, reloads it with SIGHUP, stops it with SIGTERM and says how it exited', async () => {
    const daemon = startProcess([DAEMON]);
    try {
      expect(await daemon.waitReady(() => /listening on \d+/.test(daemon.stderrTail()), BOUND)).toBe('ready');
      const port = portOf(daemon.stderrTail());
      expect(listensOn(daemon.pid, port)).toBe(true);
      expect(listensOn(process.pid, port)).toBe(false);
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1');
        socket.on('data', (data) => resolve(data.toString()));
        socket.on('error', reject);
      });
      expect(reply).toBe('hello\n');
      expect(daemon.signal('SIGHUP')).toBe(true);
      expect(await daemon.waitReady(() => daemon.stderrTail().includes('reloaded 1'), BOUND)).toBe('ready');
      expect(daemon.signal('SIGHUP')).toBe(true);
      expect(await daemon.waitReady(() => daemon.stderrTail().includes('reloaded 2'), BOUND)).toBe('ready');
      const exit = await daemon.stop();
      expect(exit).toMatchObject({ started: true, exitCode: 0, signal: null });
      expect(exit.stderrTail).toMatch(/stopping\n$/);
      expect(daemon.running()).toBe(false);
      expect(daemon.signal('SIGHUP')).toBe(false);
      expect(await daemon.stop()).toBe(exit);
    } finally {
      await daemon.stop();
    }
  });

  it('kills a daemon that ignores SIGTERM once the grace period is over', async () => {
    const daemon = startProcess([DAEMON, '--stubborn']);
    expect(await daemon.waitReady(() => /listening on/.test(daemon.stderrTail()), BOUND)).toBe('ready');
    const exit = await daemon.stop({ graceMs: 300 });
    expect(exit).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    expect(exit.stderrTail).toContain('ignoring SIGTERM');
  });

  it('reports a daemon that exits before it is ready, one that never gets ready, and one not installed', async () => {
    const failing = startProcess([DAEMON, '--fail']);
    expect(await failing.waitReady(() => false, BOUND)).toBe('exited');
    expect(await failing.exited).toMatchObject({ exitCode: 5, stderrTail: 'cannot bind: pretend the port is taken\n' });

    const slow = startProcess(['sleep', '30']);
    const started = Date.now();
    expect(await slow.waitReady(() => false, { timeoutMs: 200 })).toBe('timed-out');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await slow.stop()).toMatchObject({ signal: 'SIGTERM' });

    const aborted = startProcess(['sleep', '30']);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(await aborted.waitReady(() => false, { ...BOUND, signal: controller.signal })).toBe('aborted');
    await aborted.stop();

    const missing = startProcess(['si-no-such-daemon']);
    expect(await missing.waitReady(() => true, BOUND)).toBe('exited');
    expect(await missing.exited).toMatchObject({ started: false, exitCode: null });
  });
});

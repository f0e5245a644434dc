// `si rsyncd --foreground` as a user runs it: "running" only once the daemon listens; a busy port is one
// line naming the port and the fix, a non-zero exit, and never "running".
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture, listensOn, startProcess } from '../../src/infra/run.js';
import { freePort } from '../infra/rsyncd/rsyncd-fixtures.js';
import { PROJECT, ensureBuilt, siOk } from '../support/si.js';

describe('si rsyncd --foreground', () => {
  let work: string;
  let home: string;

  beforeAll(async () => {
    await ensureBuilt();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'si-rsyncd-fg-'));
    home = path.join(work, 'home');
    // A registry (si rsyncd never starts one); with no clients the daemon admits only this server.
    await siOk(home, ['group', 'add', 'g1']);
  });

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const rsyncd = (port: number) => [`${PROJECT}bin/si`, '--home', home, 'rsyncd', '--foreground', '--address', '127.0.0.1', '--port', String(port)];

  it('says running once the daemon listens, and stops on SIGTERM leaving no daemon', async () => {
    const port = await freePort();
    const si = startProcess(rsyncd(port), { env: { SI_HOME: undefined } });
    try {
      const said = await si.waitReady(() => si.stderrTail().includes('running'), { timeoutMs: 60_000 });
      expect(said, si.stderrTail()).toBe('ready');
      expect(si.stderrTail()).toContain(`rsync daemon running on port ${port}`);
      // At once, no retry: the daemon answers the moment si says it runs.
      const list = await capture(['rsync', '--contimeout=5', `rsync://127.0.0.1:${port}/`]);
      expect(list.exitCode, list.stderr).toBe(0);
      expect(list.stdout).toMatch(/^scripts\s/m);
      const daemonPid = fs.readFileSync(`/proc/${si.pid}/task/${si.pid}/children`, 'utf8').trim();
      expect(listensOn(Number(daemonPid), port)).toBe(true);
      const exit = await si.stop({ graceMs: 20_000 });
      expect(exit, exit.stderrTail).toMatchObject({ exitCode: 0 });
      expect(fs.existsSync(`/proc/${daemonPid}`) && !/\) Z/.test(fs.readFileSync(`/proc/${daemonPid}/stat`, 'utf8'))).toBe(false);
    } finally {
      await si.stop();
    }
  });

  it('refuses a busy port with one line naming the port and the fix, never saying running', async () => {
    const port = await freePort();
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const result = await capture(rsyncd(port), { timeout: 60_000, env: { SI_HOME: undefined } });
      expect(result.exitCode, result.stderr).not.toBe(0);
      expect(result.exitCode).not.toBeNull();
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toEqual([
        `si: port ${port} on 127.0.0.1 is already in use (another rsync daemon?): stop that program or give si rsyncd another --port`,
      ]);
      expect(result.stderr).not.toMatch(/running/);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});

// si monitor against install events POSTed over real HTTP to a node:http server on 127.0.0.1 that uses the
// monitor's handler (the boot server calls the same one), and reports uploaded the rsync way.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { homePaths } from '../../src/core/home.js';
import type { MonitorRow } from '../../src/core/monitor/index.js';
import { reportPaths } from '../../src/core/reports/index.js';
import { openDatabase, type Db } from '../../src/infra/db/database.js';
import { createEventsHandler } from '../../src/infra/monitor/index.js';
import { installEventStore } from '../../src/infra/reports/index.js';
import { makeImage } from '../support/images.js';
import { dumpRegistry, ensureBuilt, PROJECT, si, siOk } from '../support/si.js';
import { eventually } from '../support/wait.js';

const SI = `${PROJECT}bin/si`;
const MAC1 = '52:54:00:00:13:01';

/** The smallest boot server: POST /events into the handler, anything else 404. */
async function startEventServer(db: Db): Promise<{ url: string; close: () => Promise<void> }> {
  const handle = createEventsHandler({ events: installEventStore(db) });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/events') return void res.writeHead(404).end();
      void handle(Buffer.concat(chunks).toString('utf8'), req.socket.remoteAddress ?? '').then((reply) => {
        res.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/events`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('si monitor', () => {
  let home: string;
  let db: Db;
  let events: { url: string; close: () => Promise<void> };
  let child: ChildProcessByStdio<null, Readable, Readable> | undefined;

  const post = async (body: unknown) => {
    const response = await fetch(events.url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: response.status, text: await response.text() };
  };
  const postOk = async (body: Record<string, unknown>) => expect(await post(body)).toMatchObject({ status: 200 });
  const monitor = () => siOk<MonitorRow[]>(home, ['monitor', '--json', '--once']);
  const rowOf = async (host: string) => (await monitor()).find((r) => r.host === host);

  beforeEach(async () => {
    await ensureBuilt();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'si-monitor-'));
    makeImage(home, 'bookworm');
    const macs = path.join(home, 'macs.csv');
    fs.writeFileSync(macs, `node001,${MAC1}\n`);
    await siOk(home, ['addclients', '--hosts', 'node[001-004]', '--ip', '10.13.0.11', '--image', 'bookworm', '--macs', macs]);
    db = openDatabase(homePaths(home).database);
    events = await startEventServer(db);
  });
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
    await events.close();
    db.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('shows waiting, installing 42 % then installed (disarmed), a failure with its phase and log tail, and both report paths', async () => {
    expect((await monitor()).map((r) => [r.host, r.state, r.mac])).toEqual([
      ['node001', 'waiting', MAC1],
      ['node002', 'waiting', null],
      ['node003', 'waiting', null],
      ['node004', 'waiting', null],
    ]);

    await postOk({ host: 'node001', mac: MAC1, phase: 'partition', state: 'installing', message: 'installing node001 from image bookworm' });
    for (const percent of [3, 17, 42]) {
      await postOk({ host: 'node001', mac: MAC1, phase: 'copy', state: 'installing', percent, bytes: percent * 1_000_000, rate: 12_582_912, message: `copied ${percent} %` });
    }
    const copying = await rowOf('node001');
    expect(copying).toMatchObject({ state: 'installing', phase: 'copy', percent: 42, bytes: 42_000_000, rate: 12_582_912, message: 'copied 42 %', mac: MAC1 });
    expect(Date.parse(copying!.startedAt!)).toBeLessThanOrEqual(Date.parse(copying!.updatedAt!));
    // Progress folds into the phase's row: the history is one row per phase.
    const history = () => db.prepare("SELECT phase, state, percent FROM install_events WHERE host = 'node001' ORDER BY id").all();
    expect(history()).toEqual([
      { phase: 'partition', state: 'installing', percent: null },
      { phase: 'copy', state: 'installing', percent: 42 },
    ]);
    const table = await siOk<string>(home, ['monitor', '--once']);
    expect(table).toMatch(/^node001 +52:54:00:00:13:01 +installing +copy +\[########-{12}\] +42% +12\.0 MiB\/s +\S+ s +copied 42 %$/m);

    await postOk({ host: 'node001', mac: MAC1, phase: 'copy', state: 'installing', percent: 100, bytes: 100_000_000, rate: 12_582_912 });
    await postOk({ host: 'node001', mac: MAC1, phase: 'configure', state: 'installing' });
    await postOk({ host: 'node001', mac: MAC1, phase: 'report', state: 'installed', message: 'installed node001 from image bookworm', event: 'e-99' });
    expect(await rowOf('node001')).toMatchObject({ state: 'installed', phase: 'report', percent: 100, bytes: 100_000_000, startedAt: copying!.startedAt });
    // The same effect as an uploaded report: a success disarms the host (its netboot entry boots the disk).
    const [client] = await siOk<{ bootMode: string; installState: string }[]>(home, ['client', 'list', 'node001', '--json']);
    expect(client).toMatchObject({ bootMode: 'local', installState: 'installed' });
    // An event sent twice with its id is recorded once.
    const before = dumpRegistry(home);
    expect(await post({ host: 'node001', phase: 'report', state: 'installed', event: 'e-99' })).toEqual({ status: 200, text: 'duplicate\n' });
    expect(dumpRegistry(home)).toEqual(before);
    const shown = await siOk<string>(home, ['client', 'show', 'node001']);
    expect(shown).toMatch(/^lastInstall +installed at \d{4}-\S+ \(phase report\), started \d{4}-\S+, took \d+\.\d s$/m);

    await postOk({ host: 'node002', phase: 'partition', state: 'installing' });
    await postOk({ host: 'node002', phase: 'copy', state: 'installing', percent: 7 });
    await postOk({ host: 'node002', phase: 'copy', state: 'failed', message: 'rsync: connection unexpectedly closed\nrsync error: error in rsync protocol data stream (code 12)' });
    expect(await rowOf('node002')).toMatchObject({ state: 'failed', phase: 'copy', percent: 7, message: expect.stringContaining('(code 12)') });
    const failedTable = await siOk<string>(home, ['monitor', '--once']);
    expect(failedTable).toMatch(/^node002 .* failed +copy .*rsync error: error in rsync protocol data stream \(code 12\)$/m);
    expect(failedTable).toContain('node002 failed in phase copy:\n  rsync: connection unexpectedly closed\n  rsync error: error in rsync protocol data stream (code 12)');

    // An install report uploaded to the rsync module: the monitor records it before it reads.
    const incoming = reportPaths(homePaths(home)).incoming;
    fs.mkdirSync(incoming, { recursive: true });
    fs.writeFileSync(path.join(incoming, 'node004.1-2-3.json'), JSON.stringify({ host: 'node004', event: '1-2-3', state: 'installing', phase: 'mkfs' }));
    expect(await rowOf('node004')).toMatchObject({ state: 'installing', phase: 'mkfs', percent: null });
    expect(fs.readdirSync(incoming)).toEqual([]);

    expect((await monitor()).map((r) => [r.host, r.state])).toEqual([
      ['node001', 'installed'],
      ['node002', 'failed'],
      ['node003', 'waiting'],
      ['node004', 'installing'],
    ]);
    // Only the hosts asked for.
    expect((await siOk<MonitorRow[]>(home, ['monitor', 'node[001-002]', '--json', '--once'])).map((r) => r.host)).toEqual(['node001', 'node002']);
    // Re-armed after its success: waiting again.
    await siOk(home, ['client', 'set', 'node001', '--boot', 'install']);
    expect(await rowOf('node001')).toMatchObject({ state: 'waiting', phase: null, startedAt: null });
  });

  it('refuses bad bodies with a 4xx and one line, and leaves the registry unchanged', async () => {
    const before = dumpRegistry(home);
    const refusals = [
      ['{"host": "node001", "phase"', 400, 'not JSON: send one JSON object'],
      [{ host: 'node009', phase: 'copy', state: 'installing' }, 404, 'no client named node009 in the registry'],
      [{ host: '', mac: '52:54:00:00:13:99', phase: 'fetch', state: 'installing' }, 404, 'no client with MAC 52:54:00:00:13:99 in the registry'],
      [{ host: 'node001', phase: 'copy', state: 'installing', percent: 142 }, 400, /^invalid event: percent: /],
      [{ host: 'node001', phase: 'copy', state: 'new' }, 400, /^invalid event: state: /],
      [{ host: '../etc', phase: 'copy', state: 'installing' }, 400, 'invalid event: host: not a valid host name'],
      [{ host: 'node001', phase: 'copy', state: 'failed', message: 'x'.repeat(20_000) }, 413, 'larger than 16384 bytes'],
    ] as const;
    for (const [body, status, reason] of refusals) {
      const reply = await post(body);
      expect(reply.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(reply.text.endsWith('\n') && reply.text.split('\n').length === 2).toBe(true);
      expect(reply.text.trim()).toMatch(typeof reason === 'string' ? new RegExp(`^${reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : reason);
    }
    expect(dumpRegistry(home)).toEqual(before);
    expect((await monitor()).every((r) => r.state === 'waiting')).toBe(true);
  });

  it('refuses a bad --interval in one line, changing nothing', async () => {
    const result = await si(home, ['monitor', '--interval', 'soon']);
    expect([result.exitCode, result.stderr]).toEqual([2, 'si: invalid --interval "soon": give a number from 0.1 to 3600\n']);
  });

  /** si monitor running on, its stdout a pipe (not a terminal): the lines it wrote so far. */
  function startMonitor(args: string[]): { lines: () => string[]; stderr: () => string; ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
    const started = spawn(SI, ['monitor', '--interval', '0.2', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SI_HOME: home } });
    child = started;
    let out = '';
    let err = '';
    started.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    started.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => started.once('close', (code, signal) => resolve({ code, signal })));
    return { lines: () => out.split('\n').filter(Boolean), stderr: () => err, ended };
  }

  it('streams JSON lines through 100 % while running, and ends cleanly when its reader goes away', async () => {
    const run = startMonitor(['--json']);
    const node001 = (line: string) => (JSON.parse(line) as MonitorRow[]).find((r) => r.host === 'node001');
    const seen = (state: string, percent: number | null) => run.lines().some((l) => node001(l)?.state === state && node001(l)?.percent === percent);
    await eventually('the first reading', () => seen('waiting', null), 60_000);
    for (const percent of [25, 50, 100]) {
      await postOk({ host: 'node001', phase: 'copy', state: 'installing', percent });
      await eventually(`node001 at ${percent} %`, () => seen('installing', percent), 60_000);
    }
    await postOk({ host: 'node001', phase: 'report', state: 'installed' });
    await eventually('node001 installed', () => seen('installed', 100), 60_000);
    const percents = run.lines().map((l) => node001(l)?.percent);
    expect(percents.filter((p) => p !== null)).toEqual([25, 50, 100, 100]);

    // The reader goes; the next change makes si write, meet the closed pipe, and end.
    child!.stdout.destroy();
    await postOk({ host: 'node002', phase: 'partition', state: 'installing' });
    const end = await Promise.race([run.ended, new Promise((resolve) => setTimeout(resolve, 60_000, 'still running'))]);
    expect(end, run.stderr()).toEqual({ code: 0, signal: null });
    expect(run.stderr()).toBe('');
  });

  it('writes one log line per change when stdout is no terminal, and ends with exit 0 on SIGINT', async () => {
    const run = startMonitor([]);
    await eventually('the first reading', () => run.lines().length >= 4, 60_000);
    expect(run.lines()[0]).toMatch(/^\d{4}-\S+ node001 waiting -$/);
    await postOk({ host: 'node003', phase: 'copy', state: 'installing', percent: 12, rate: 2048, message: 'sending' });
    await eventually('a line for node003', () => run.lines().some((l) => / node003 installing copy 12% 2\.0 KiB\/s \S+ s: sending$/.test(l)), 60_000);
    const count = run.lines().length;
    // Progress within the same tenth of the copy is no new line.
    await postOk({ host: 'node003', phase: 'copy', state: 'installing', percent: 15 });
    await postOk({ host: 'node003', phase: 'copy', state: 'installing', percent: 23 });
    await eventually('a line at 23 %', () => run.lines().some((l) => / node003 installing copy 23% /.test(l)), 60_000);
    expect(run.lines().length).toBe(count + 1);
    child!.kill('SIGINT');
    const end = await Promise.race([run.ended, new Promise((resolve) => setTimeout(resolve, 60_000, 'still running'))]);
    expect(end, run.stderr()).toEqual({ code: 0, signal: null });
    expect(run.stderr()).toBe('');
  });
});

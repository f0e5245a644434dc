// kill -9 of si getimage in the middle of its copy: nothing of the capture runs on afterwards, on either
// side (no rsync writing into .incoming, no ssh master, no session on the golden client).
import { randomFillSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from '../world/netns.js';
import { minbaseTree } from '../world/debootstrap-cache.js';
import { startGoldenClient, type GoldenClient } from '../world/golden-client.js';
import { startProcess } from '../../src/infra/run.js';
import { PROJECT, ensureBuilt } from '../support/si.js';

/** Every process now: pid, parent pid, command line. */
function processTable(): { pid: number; ppid: number; cmdline: string }[] {
  const rows: { pid: number; ppid: number; cmdline: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue; // exited, waiting to be reaped
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      rows.push({ pid: Number(name), ppid: Number(fields[1]), cmdline });
    } catch {
      // Gone meanwhile.
    }
  }
  return rows;
}

function descendants(root: number): { pid: number; cmdline: string }[] {
  const table = processTable();
  const found: { pid: number; cmdline: string }[] = [];
  const parents = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of table) {
      if (parents.has(row.ppid) && !parents.has(row.pid)) {
        parents.add(row.pid);
        found.push(row);
        grew = true;
      }
    }
  }
  return found;
}

/** Polls every 50 ms until `check` returns an empty list or `ms` pass; returns the last list. */
async function untilEmpty<T>(check: () => T[] | Promise<T[]>, ms: number): Promise<T[]> {
  const deadline = Date.now() + ms;
  let last = await check();
  while (last.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await check();
  }
  return last;
}

describe('kill -9 of si getimage', () => {
  let world: World;
  let golden: GoldenClient;
  let work: string;
  let home: string;

  beforeAll(async () => {
    await ensureBuilt();
    work = await mkdtemp(join(tmpdir(), 'si-getimage-kill-'));
    home = join(work, 'home');
    const tree = join(work, 'golden');
    await minbaseTree(tree);
    // 256 MiB that does not compress, at the end of the walk: the copy is still running when si is killed.
    await mkdir(join(tree, 'var/big'), { recursive: true });
    const block = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < 16; i += 1) await writeFile(join(tree, `var/big/blob-${String(i).padStart(2, '0')}`), randomFillSync(block));
    world = await createWorld({ prefix: 'sikl' });
    golden = await startGoldenClient({ ns: world.client, root: tree });
  });

  afterAll(async () => {
    await golden?.stop();
    await world?.destroy();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('leaves no rsync, ssh or session of the capture running, on the server or on the golden client', async () => {
    const goldenBefore = await world.client.processes();
    const argv = [`${PROJECT}bin/si`, '--home', home, 'getimage', '--golden-client', golden.host, '--image', 'big', '--ssh-key', golden.keyPath];
    const si = startProcess(['ip', 'netns', 'exec', world.server.name, ...argv], { env: { SI_HOME: undefined } });
    const incoming = join(home, 'versions/big/.incoming');
    const copying = () => existsSync(join(incoming, 'etc')) && descendants(si.pid ?? 0).some((p) => p.cmdline.startsWith('rsync '));
    try {
      const readiness = await si.waitReady(copying, { timeoutMs: 120_000, intervalMs: 20 });
      expect(readiness, si.stderrTail()).toBe('ready');
      // What si started, and whatever else names its home (an ssh master that went to the background would).
      const mine = descendants(si.pid ?? 0);
      const capture = [...mine, ...processTable().filter((p) => p.cmdline.includes(home) && !mine.some((m) => m.pid === p.pid))];
      const master = capture.find((p) => p.cmdline.includes('ControlMaster=yes'));
      expect(master, capture.map((p) => p.cmdline).join('\n')).toBeDefined();
      const socket = /ControlPath=(\S+)/.exec(master?.cmdline ?? '')?.[1] ?? 'no socket';
      expect(existsSync(join(incoming, 'var/big/blob-15')), 'the copy was over before the kill').toBe(false);

      si.signal('SIGKILL');
      expect(await si.exited).toMatchObject({ signal: 'SIGKILL' });

      // Everything the capture started, anything naming its home or its ssh socket, and anything in the
      // server's namespace is gone within seconds; OpenSSH's ControlPersist alone would keep the master 10 s.
      const ofCapture = () => processTable().filter((p) => capture.some((c) => c.pid === p.pid) || p.cmdline.includes(home) || p.cmdline.includes(socket));
      expect(await untilEmpty(ofCapture, 8000)).toEqual([]);
      expect(await untilEmpty(() => world.server.processes(), 8000)).toEqual([]);
      // On the golden client: its sshd as before, and no session (sshd: root@notty, rsync --server).
      const sessions = async () => (await world.client.processes()).filter((line) => !goldenBefore.includes(line));
      expect(await untilEmpty(sessions, 8000)).toEqual([]);
      expect(capture.map((p) => p.cmdline.split(' ')[0])).toEqual(expect.arrayContaining(['rsync', 'ssh']));
    } finally {
      await si.stop();
    }
  });
});

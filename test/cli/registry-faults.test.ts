// A registry the user (or the machine) broke: each fault is one line, a non-zero exit, and not a byte changed.
// Real files, real mounts (tmpfs, read-only remount, a full filesystem), a real second process holding the lock.
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capture, run } from '../../src/infra/run.js';
import { ensureBuilt, PROJECT, siOk } from '../support/si.js';
import { makeImage } from '../support/images.js';
import { fillUp, snapshot } from '../support/fs-state.js';
import { spawnDaemon, type Daemon } from '../world/daemon.js';

const SI = `${PROJECT}bin/si`;
const READERS = [['client', 'list'], ['image', 'list']];
const WRITER = ['addclients', '--hosts', 'extra[1-3]', '--ip', '10.9.0.1', '--image', 'compute'];
const ALL = [...READERS, WRITER];

interface Result {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

async function si(home: string, args: readonly string[], env: Record<string, string> = {}): Promise<Result> {
  await ensureBuilt();
  return capture([SI, '--home', home, ...args], { timeout: 120_000, env: { SI_HOME: undefined, ...env } });
}

/** One line `si: ...` on stderr matching message, a non-zero exit that is not the bug exit (70), nothing on stdout. */
function expectOneLine(result: Result, message: RegExp): void {
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^si: /);
  expect(lines[0]).toMatch(message);
  expect(result.exitCode, result.stderr).not.toBe(0);
  expect(result.exitCode, result.stderr).not.toBe(70);
}

/** Runs every command of `commands` against dir's state; each must refuse with message and change nothing. */
async function expectRefusedByAll(home: string, watched: string, commands: readonly (readonly string[])[], message: RegExp, env: Record<string, string> = {}): Promise<void> {
  for (const args of commands) {
    const before = snapshot(watched);
    const result = await si(home, args, env);
    expectOneLine(result, message);
    expect(snapshot(watched), `si ${args.join(' ')}`).toEqual(before);
  }
}

/** A real registry with an image and 400 clients: several pages of rows, so a page in the middle is data. */
async function realRegistry(home: string): Promise<string> {
  makeImage(home, 'compute');
  await siOk(home, ['addclients', '--hosts', 'node[001-400]', '--ip', '10.1.0.1', '--netmask', '16', '--image', 'compute']);
  const file = join(home, 'sisuite.db');
  expect(existsSync(`${file}-wal`)).toBe(false);
  return file;
}

describe('registry faults', () => {
  let base: string;
  const mounts: string[] = [];
  const daemons: Daemon[] = [];

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'si-dbfaults-'));
  });
  afterEach(async () => {
    for (const daemon of daemons.splice(0)) await daemon.stop();
    for (const mount of mounts.splice(0).reverse()) await run(['umount', '-l', mount]).catch(() => undefined);
    rmSync(base, { recursive: true, force: true });
  });

  async function tmpfs(dir: string, size: string): Promise<void> {
    mkdirSync(dir, { recursive: true });
    await run(['mount', '-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir]);
    mounts.push(dir);
  }

  it('a truncated registry', async () => {
    const home = join(base, 'home');
    const file = await realRegistry(home);
    truncateSync(file, Math.floor(statSync(file).size / 2));
    await expectRefusedByAll(home, base, ALL, new RegExp(`the registry ${file} is truncated .*: restore it from a backup`));
  });

  it('a text file where the registry should be', async () => {
    const home = join(base, 'home');
    mkdirSync(home);
    writeFileSync(join(home, 'sisuite.db'), 'these are my notes about the cluster\nrack 1: node001-node040\n'.repeat(20));
    await expectRefusedByAll(home, base, ALL, /sisuite\.db is not a sisuite registry \(not an SQLite database\): check --home\/SI_HOME/);
  });

  it('a directory where the registry should be', async () => {
    const home = join(base, 'home');
    mkdirSync(join(home, 'sisuite.db'), { recursive: true });
    await expectRefusedByAll(home, base, ALL, /sisuite\.db is a directory, not a file: move it away/);
  });

  it('a registry with a damaged page in the middle: integrity_check fails, and no command runs on it', async () => {
    const home = join(base, 'home');
    const file = await realRegistry(home);
    const pageSize = 4096;
    const pages = statSync(file).size / pageSize;
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, Math.floor(pages / 2) * pageSize);
    closeSync(fd);
    // Read-write, so that closing removes the -wal and -shm it made (a read-only connection leaves them).
    const check = new Database(file);
    expect(check.pragma('integrity_check', { simple: true })).not.toBe('ok');
    check.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    await expectRefusedByAll(home, base, [...ALL, ['client', 'show', 'node200'], ['hosts']], /the registry .*sisuite\.db is damaged \(.*\): restore it from a backup/);
  });

  it('a registry on a read-only mount', async () => {
    const mount = join(base, 'ro');
    await tmpfs(mount, '16m');
    const home = join(mount, 'home');
    await realRegistry(home);
    mkdirSync(join(mount, 'fresh'));
    mkdirSync(join(mount, 'empty'));
    writeFileSync(join(mount, 'empty', 'sisuite.db'), '');
    await run(['mount', '-o', 'remount,ro', mount]);
    await expectRefusedByAll(home, base, ALL, /sisuite\.db cannot be written \(read-only file or filesystem\): remount .* read-write/);
    // Starting a registry there: in a home without one, or over a zero-length one.
    for (const where of ['fresh', 'empty']) {
      await expectRefusedByAll(join(mount, where), base, [WRITER, ['group', 'add', 'gpu']], /sisuite\.db cannot be written \(read-only file or filesystem\)/);
    }
  });

  it('a read-only registry file, for a user who may not write it', async () => {
    const home = join(base, 'home');
    const file = await realRegistry(home);
    await run(['chown', '-R', 'nobody:nogroup', home]);
    await run(['chmod', '755', base]);
    await run(['chmod', '444', file]);
    const nobody = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];
    for (const args of ALL) {
      const before = snapshot(base);
      const result = await capture([...nobody, SI, '--home', home, ...args], { timeout: 120_000, env: { SI_HOME: undefined } });
      expectOneLine(result, /no permission to write the registry .*sisuite\.db .*: run si as their owner, or give them write permission/);
      expect(snapshot(base), `si ${args.join(' ')}`).toEqual(before);
    }
  });

  it('a registry locked by another process longer than the busy timeout: writers refuse, readers still read', async () => {
    const home = join(base, 'home');
    const file = await realRegistry(home);
    const holder = spawnDaemon([
      process.execPath,
      '-e',
      `const D = require(${JSON.stringify(`${PROJECT}node_modules/better-sqlite3`)}); const db = new D(process.argv[1]);` +
        `db.exec('BEGIN EXCLUSIVE'); console.log('locked'); setInterval(() => {}, 1e6);`,
      file,
    ]);
    daemons.push(holder);
    for (let i = 0; i < 600 && !holder.output().includes('locked'); i++) {
      if (!holder.running()) throw new Error(`lock holder exited: ${holder.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(holder.output()).toContain('locked');
    const env = { SI_BUSY_TIMEOUT_MS: '300' };
    await expectRefusedByAll(home, base, [WRITER, ['client', 'rm', 'node001']], /sisuite\.db is busy: another si held its write lock for over 0\.3 s; try again when it is done/, env);
    // WAL: an exclusive write lock does not stop readers, and they change nothing either.
    const before = snapshot(base);
    const list = await si(home, ['client', 'list', '--json'], env);
    expect(list.exitCode, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toHaveLength(400);
    const images = await si(home, ['image', 'list', '--json'], env);
    expect(images.exitCode, images.stderr).toBe(0);
    expect((JSON.parse(images.stdout) as { name: string }[]).map((i) => i.name)).toEqual(['compute']);
    expect(snapshot(base)).toEqual(before);
  });

  it('a registry on a full filesystem', async () => {
    const mount = join(base, 'small');
    await tmpfs(mount, '4m');
    const home = join(mount, 'home');
    await realRegistry(home);
    fillUp(join(mount, 'filler'));
    // Readers too: SQLite cannot map its shared-memory file on a full filesystem.
    await expectRefusedByAll(home, base, [...ALL, ['group', 'add', 'gpu']], /no space left for the registry .*sisuite\.db: free space on the filesystem of /);
  });

  it('a filesystem that fills up in the middle of a write: the transaction is rolled back, the file unchanged', async () => {
    const mount = join(base, 'small');
    await tmpfs(mount, '4m');
    const home = join(mount, 'home');
    await realRegistry(home);
    fillUp(join(mount, 'filler'), 256 * 1024);
    const free = statfsSync(mount).bavail * statfsSync(mount).bsize;
    // Room to open and start the write (the refusal up front needs less than 64 KiB), not to finish it.
    expect(free).toBeGreaterThan(128 * 1024);
    const big = ['addclients', '--hosts', 'big[0001-3000]', '--ip', '10.2.0.1', '--netmask', '16', '--image', 'compute'];
    await expectRefusedByAll(home, base, [big], /no space left for the registry .*sisuite\.db: free space on the filesystem of /);
    const list = await si(home, ['client', 'list', '--json']);
    expect(list.exitCode, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toHaveLength(400);
  });

  it('--home naming a regular file', async () => {
    const file = join(base, 'notes.txt');
    writeFileSync(file, 'not a home\n');
    await expectRefusedByAll(file, base, ALL, new RegExp(`the home ${file} is a file, not a directory: give --home`));
    await expectRefusedByAll(join(file, 'sub'), base, ALL, /notes\.txt\/sub is not a directory|notes\.txt.* is not a directory/);
  });

  it('no registry at a mistyped --home: reading commands say so and create nothing; a writing one starts it, once', async () => {
    const home = join(base, 'mistyped', 'home');
    const reading = [...READERS, ['client', 'show', 'node001'], ['client', 'export'], ['hosts'], ['group', 'list'], ['image', 'show', 'compute'], ['layout', 'show', '--image', 'compute'], ['client', 'set', 'node001', '--boot', 'local'], ['image', 'rm', 'compute']];
    await expectRefusedByAll(home, base, reading, new RegExp(`no registry at ${home}/sisuite\\.db: check --home/SI_HOME, or start one with si getimage, si mkimage or si addclients`));
    expect(existsSync(join(base, 'mistyped'))).toBe(false);

    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'sisuite.db'), '');
    await expectRefusedByAll(home, base, READERS, /no registry at .*sisuite\.db \(an empty file\)/);

    // A dry run of a command that may start one plans against an empty registry, and creates none.
    await expectRefusedByAll(home, base, [[...WRITER, '--dry-run']], /no image named compute/);

    const created = await si(home, ['group', 'add', 'gpu']);
    expect(created.exitCode, created.stderr).toBe(0);
    expect(created.stderr).toBe(`created a new registry at ${home}/sisuite.db\n`);
    const again = await si(home, ['group', 'add', 'cpu']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toBe('');
    rmSync(home, { recursive: true });
    const fresh = await si(home, ['group', 'add', 'gpu']);
    expect(fresh.stderr).toBe(`created a new registry at ${home}/sisuite.db\n`);
  });
});

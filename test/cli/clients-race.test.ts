// Concurrent writers never lose a write: two real `si addclients` started together for the same range.
// Exactly one wins; the other exits non-zero with one line; the registry is exactly one of the two outcomes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dumpRegistry, ensureBuilt, si, siOk, type SiResult } from '../support/si.js';
import { makeImage } from '../support/images.js';

const ROUNDS = 10;
const COUNT = 1000;
const HOSTS = 'node[0001-1000]';

/** host=ip for the range counted up from `first` in 10.0.0.0/16. */
function outcome(first: string): string[] {
  const [, , c, d] = first.split('.').map(Number) as [number, number, number, number];
  const start = c * 256 + d;
  return Array.from({ length: COUNT }, (_, i) => `node${String(i + 1).padStart(4, '0')}=10.0.${(start + i) >> 8}.${(start + i) & 255}`);
}

function expectOneLine(result: SiResult): string {
  expect(result.exitCode, result.stdout).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^si: /);
  return lines[0] as string;
}

describe('two si addclients at once', () => {
  let base: string;
  let home: string;
  beforeEach(async () => {
    await ensureBuilt();
    base = mkdtempSync(join(tmpdir(), 'si-race-'));
    home = mkdtempSync(join(base, 'home-'));
    makeImage(home, 'rocky9');
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const addclients = (ip: string) => si(home, ['addclients', '--hosts', HOSTS, '--ip', ip, '--netmask', '/16', '--image', 'rocky9', '--group', 'rack1']);

  for (const [kind, ipA, ipB] of [
    ['overlapping', '10.0.0.1', '10.0.1.1'],
    ['different', '10.0.0.1', '10.0.8.1'],
  ] as const) {
    it(`same range, ${kind} addresses: exactly one wins, ${ROUNDS} rounds`, async () => {
      const seen: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // A fresh registry each round, in a home of its own.
        home = mkdtempSync(join(base, `round${round}-`));
        makeImage(home, 'rocky9');
        const [a, b] = await Promise.all([addclients(ipA), addclients(ipB)]);
        const winners = [a, b].filter((r) => r.exitCode === 0);
        expect(winners, `round ${round}: ${a.stderr} | ${b.stderr}`).toHaveLength(1);
        const [winner, loser, first] = a.exitCode === 0 ? [a, b, ipA] : [b, a, ipB];
        expect(winner.stdout).toMatch(new RegExp(`^added ${COUNT} clients`));
        const line = expectOneLine(loser);
        expect(line).toMatch(/already exists with IP|is already held by|meanwhile|busy/);
        seen.push(line.replace(/node\d+.*$/, '').trim() || line);
        const clients = await siOk<{ hostname: string; ip: string }[]>(home, ['client', 'list', '--json']);
        expect(clients.map((c) => `${c.hostname}=${c.ip}`)).toEqual(outcome(first));
      }
      // How often the loser was already waiting for the lock when the winner committed.
      console.log(`${kind}: ${seen.filter((l) => l.includes('meanwhile')).length}/${ROUNDS} losers were waiting for the winner's write lock (said 'meanwhile')`);
    }, 600_000);
  }

  it('client set of one address to two hosts, and group add of one name, at once: one wins, 5 rounds each', async () => {
    await siOk(home, ['addclients', '--hosts', 'node[1-2]', '--ip', '10.0.0.11', '--image', 'rocky9']);
    for (let round = 0; round < 5; round++) {
      const ip = `10.0.0.${100 + round}`;
      const results = await Promise.all([
        si(home, ['client', 'set', 'node1', '--ip', ip]),
        si(home, ['client', 'set', 'node2', '--ip', ip]),
      ]);
      const loser = results.find((r) => r.exitCode !== 0);
      expect(results.filter((r) => r.exitCode === 0), results.map((r) => r.stderr).join(' | ')).toHaveLength(1);
      expect(expectOneLine(loser as SiResult)).toMatch(new RegExp(`IP ${ip.replaceAll('.', '\\.')} for node[12] is already held by node[12]`));
      const held = (await siOk<{ ip: string }[]>(home, ['client', 'list', '--json'])).filter((c) => c.ip === ip);
      expect(held).toHaveLength(1);

      const groups = await Promise.all([si(home, ['group', 'add', `g${round}`]), si(home, ['group', 'add', `g${round}`, '--image', 'rocky9'])]);
      expect(groups.filter((r) => r.exitCode === 0)).toHaveLength(1);
      expect(expectOneLine(groups.find((r) => r.exitCode !== 0) as SiResult)).toMatch(new RegExp(`group g${round} exists already`));
    }
  }, 600_000);

  it('a write lock held past the busy timeout is one line, and the registry is unchanged', async () => {
    const before = dumpRegistry(home);
    const holder = new Database(join(home, 'sisuite.db'));
    let result: SiResult;
    try {
      holder.prepare('BEGIN IMMEDIATE').run();
      result = await addclients('10.0.0.1');
    } finally {
      holder.close();
    }
    expect(expectOneLine(result)).toMatch(/^si: the registry .*sisuite\.db is busy: another si held its write lock for over \d+ s; try again/);
    expect(dumpRegistry(home)).toEqual(before);
  }, 120_000);
});

// Discovery: hosts wait with si client set --discover; unknown MACs are bound to them in order, once each.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/infra/db/database.js';
import { bindUnknownMac } from '../../src/infra/discovery/index.js';
import { capture } from '../../src/infra/run.js';
import { dumpRegistry, ensureBuilt, si, siOk, PROJECT } from '../support/si.js';
import { makeImage } from '../support/images.js';
import { eventually } from '../support/wait.js';

type Client = { hostname: string; macs: string[]; discover: boolean; bootMode: string };
type Unknown = { mac: string; ip: string; firstSeen: string; lastSeen: string; count: number };

describe('discovery', () => {
  let home: string;

  beforeEach(async () => {
    await ensureBuilt();
    home = mkdtempSync(join(tmpdir(), 'si-discover-'));
    makeImage(home, 'bookworm');
    await siOk(home, ['addclients', '--hosts', 'node[001-004]', '--ip', '10.9.0.11', '--image', 'bookworm']);
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  /** bindUnknownMac on the home's registry, as the boot server calls it. */
  function bind(mac: string, ip: string, now?: string): ReturnType<typeof bindUnknownMac> {
    const db = openDatabase(join(home, 'sisuite.db'), { create: false });
    try {
      return bindUnknownMac(db, mac, ip, now);
    } finally {
      db.close();
    }
  }

  async function expectRefused(args: string[], message: RegExp): Promise<void> {
    const before = dumpRegistry(home);
    const result = await si(home, args);
    expect(result.exitCode, result.stdout).toBe(2);
    expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(dumpRegistry(home)).toEqual(before);
  }

  it('binds unknown MACs to the waiting hosts in order, arms them, and records the rest as unknown', async () => {
    await siOk(home, ['client', 'set', 'node[002-004]', '--discover', '--boot', 'local']);
    await siOk(home, ['client', 'set', 'node003', '--no-discover']);
    const listed = await siOk<Client[]>(home, ['client', 'list', '--json']);
    expect(listed.map((c) => [c.hostname, c.discover])).toEqual([['node001', false], ['node002', true], ['node003', false], ['node004', true]]);
    const table = await siOk<string>(home, ['client', 'list']);
    expect(table).toMatch(/node002\s+10\.9\.0\.12\s+\(discover\)/);
    expect(await siOk<string>(home, ['client', 'show', 'node004'])).toMatch(/^discover\s+true$/m);

    // Upper case and dashes, as iPXE's ${netX/mac:hexhyp} writes it; the address as node:http reports it.
    expect(bind('52-54-00-AA-00-01', '::ffff:10.9.0.200')).toEqual({ host: 'node002', bound: true });
    expect(bind('52:54:00:aa:00:01', '10.9.0.200')).toEqual({ host: 'node002', bound: false });
    expect(bind('52:54:00:aa:00:02', '10.9.0.201')).toEqual({ host: 'node004', bound: true });
    expect(bind('52:54:00:aa:00:03', '10.9.0.202', '2025-01-01T00:00:00.000Z')).toBeNull();
    expect(bind('52:54:00:aa:00:03', '10.9.0.203', '2025-01-01T00:05:00.000Z')).toBeNull();

    const after = await siOk<Client[]>(home, ['client', 'list', '--json']);
    expect(after.map((c) => [c.hostname, c.macs, c.discover, c.bootMode])).toEqual([
      ['node001', [], false, 'install'],
      ['node002', ['52:54:00:aa:00:01'], false, 'install'],
      ['node003', [], false, 'local'],
      ['node004', ['52:54:00:aa:00:02'], false, 'install'],
    ]);
    const unknown = await siOk<Unknown[]>(home, ['netboot', 'unknown', '--json']);
    expect(unknown).toEqual([{ mac: '52:54:00:aa:00:03', ip: '10.9.0.203', firstSeen: '2025-01-01T00:00:00.000Z', lastSeen: '2025-01-01T00:05:00.000Z', count: 2 }]);
    expect(await siOk<string>(home, ['netboot', 'unknown'])).toMatch(/52:54:00:aa:00:03\s+10\.9\.0\.203\s+2025-01-01T00:00:00\.000Z\s+2025-01-01T00:05:00\.000Z\s+2\n/);

    // A host that waits again takes the next unknown MAC that asks; that MAC leaves the unknown list.
    await siOk(home, ['client', 'set', 'node003', '--discover']);
    expect(bind('52:54:00:aa:00:03', '10.9.0.203')).toEqual({ host: 'node003', bound: true });
    expect(await siOk<Unknown[]>(home, ['netboot', 'unknown', '--json'])).toEqual([]);
  });

  it('refuses discovery for a host with a MAC, and a MAC for a waiting host, in one line, changing nothing', async () => {
    await siOk(home, ['client', 'set', 'node002', '--macs', '52:54:00:00:00:02']);
    await expectRefused(['client', 'set', 'node[001-003]', '--discover'], /^si: node002: has MAC 52:54:00:00:00:02, .*remove the MACs first \(--macs ''\) or leave discovery off \(--no-discover\)/);
    await siOk(home, ['client', 'set', 'node001', '--discover']);
    await expectRefused(['client', 'set', 'node001', '--macs', '52:54:00:00:00:01'], /^si: node001: has MAC 52:54:00:00:00:01, /);
    await siOk(home, ['client', 'set', 'node002', '--macs', '', '--discover']);
    expect((await siOk<Client[]>(home, ['client', 'list', '--json'])).filter((c) => c.discover).map((c) => c.hostname)).toEqual(['node001', 'node002']);
  });

  it('carries the discover state through export and import; an export imported again changes nothing', async () => {
    await siOk(home, ['client', 'set', 'node[003-004]', '--discover']);
    const file = join(home, 'clients.csv');
    await siOk(home, ['client', 'export', '--output', file]);
    const before = dumpRegistry(home);
    expect(await siOk<string>(home, ['client', 'import', file])).toMatch(/0 added, 0 changed, 4 unchanged/);
    expect(dumpRegistry(home)).toEqual(before);
    await siOk(home, ['client', 'set', 'node[003-004]', '--no-discover']);
    await siOk(home, ['client', 'import', file]);
    expect((await siOk<Client[]>(home, ['client', 'list', '--json'])).filter((c) => c.discover).map((c) => c.hostname)).toEqual(['node003', 'node004']);
  });

  it('si netboot unknown --clear forgets one MAC or all of them', async () => {
    for (const mac of ['52:54:00:aa:00:01', '52:54:00:aa:00:02', '52:54:00:aa:00:03']) expect(bind(mac, '10.9.0.250')).toBeNull();
    expect(await siOk<string>(home, ['netboot', 'unknown', '--clear', '52-54-00-AA-00-02'])).toBe('forgot 52:54:00:aa:00:02\n');
    expect((await siOk<Unknown[]>(home, ['netboot', 'unknown', '--json'])).map((u) => u.mac).sort()).toEqual(['52:54:00:aa:00:01', '52:54:00:aa:00:03']);
    await expectRefused(['netboot', 'unknown', '--clear', 'not-a-mac'], /^si: "not-a-mac" is not a MAC address/);
    expect(await siOk<string>(home, ['netboot', 'unknown', '--clear'])).toBe('forgot 2 unknown MACs\n');
    expect(await siOk<string>(home, ['netboot', 'unknown'])).toBe('no unknown MACs have asked the boot server\n');
  });

  it('two boot servers binding at once never give one host two MACs or one MAC two hosts', async () => {
    await siOk(home, ['addclients', '--hosts', 'node[005-020]', '--ip', '10.9.0.15', '--image', 'bookworm']);
    await siOk(home, ['client', 'set', 'node[001-020]', '--discover']);
    const script = join(PROJECT, 'test/cli/discover-bind.mjs');
    const runs = ['aa', 'bb'].map((tag) => capture(['node', script, home, tag, '30'], { timeout: 120_000 }));
    await eventually('both binders ready', () => ['aa', 'bb'].every((tag) => existsSync(join(home, `ready-${tag}`))), 60_000);
    writeFileSync(join(home, 'go'), '');
    const results = await Promise.all(runs);
    for (const r of results) expect(r.exitCode, r.stderr).toBe(0);
    const outputs = results.map((r) => JSON.parse(r.stdout) as { startedAt: number; endedAt: number; answers: [string, string | null][] });
    const answers = outputs.flatMap((o) => o.answers);
    const bound = answers.filter(([, host]) => host !== null);
    expect(bound).toHaveLength(20);
    expect(new Set(bound.map(([, host]) => host)).size).toBe(20);
    const clients = await siOk<Client[]>(home, ['client', 'list', '--json']);
    expect(clients.every((c) => c.macs.length === 1 && !c.discover)).toBe(true);
    expect(Object.fromEntries(clients.map((c) => [c.macs[0], c.hostname]))).toEqual(Object.fromEntries(bound));
    expect(await siOk<Unknown[]>(home, ['netboot', 'unknown', '--json'])).toHaveLength(40);
    // They really raced: each started binding before the other had finished (the loser waited for the lock).
    const [a, b] = outputs as [(typeof outputs)[0], (typeof outputs)[0]];
    expect(a.startedAt <= b.endedAt && b.startedAt <= a.endedAt, JSON.stringify([a.startedAt, a.endedAt, b.startedAt, b.endedAt])).toBe(true);
  });
});


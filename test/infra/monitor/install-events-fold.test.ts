// How install events land in a real SQLite registry: progress folds into its phase's row, results always add
// one, an event id is recorded once across both ways of reporting, and migration 4 keeps older histories.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { homePaths, type HomePaths } from '../../../src/core/home.js';
import { reportPaths, type InstallReport } from '../../../src/core/reports/index.js';
import { openDatabase, type Db } from '../../../src/infra/db/database.js';
import { MIGRATIONS } from '../../../src/infra/db/migrations.js';
import { createEventsHandler } from '../../../src/infra/monitor/index.js';
import { InstallEvents, ingestReports } from '../../../src/infra/reports/index.js';
import { makeImage } from '../../support/images.js';
import { dumpRegistry, siOk } from '../../support/si.js';

const T = (s: number) => new Date(Date.UTC(2026, 10, 30, 12, 0, s)).toISOString();
const report = (state: InstallReport['state'], phase: string, more: Partial<InstallReport> = {}): InstallReport => ({ host: 'node001', event: null, state, phase, mac: null, message: '', ...more });

describe('install events in the registry', () => {
  let home: string;
  let paths: HomePaths;
  let db: Db;
  let events: InstallEvents;
  const rows = () => db.prepare('SELECT state, phase, message, mac, percent, bytes, rate, at, updated_at FROM install_events ORDER BY id').all();

  beforeEach(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'si-fold-'));
    paths = homePaths(home);
    makeImage(home, 'bookworm');
    await siOk(home, ['addclients', '--hosts', 'node[001-002]', '--ip', '10.9.0.11', '--image', 'bookworm']);
    db = openDatabase(paths.database);
    events = new InstallEvents(db);
  });
  afterEach(() => {
    db.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('folds progress of the current phase into its row; a new phase, a failure and a success add rows', () => {
    expect(events.record(report('installing', 'copy', { percent: 10, bytes: 100, rate: 5, mac: '52:54:00:00:00:01', message: 'started' }), T(0))).toBe('recorded');
    expect(events.record(report('installing', 'copy', { percent: 60, bytes: 600 }), T(10))).toBe('updated');
    // An older copy of the row's progress (an upload ingested late) changes nothing.
    const before = dumpRegistry(home);
    expect(events.record(report('installing', 'copy', { percent: 30 }), T(5))).toBe('duplicate');
    expect(dumpRegistry(home)).toEqual(before);
    expect(rows()).toEqual([{ state: 'installing', phase: 'copy', message: 'started', mac: '52:54:00:00:00:01', percent: 60, bytes: 600, rate: 5, at: T(0), updated_at: T(10) }]);
    expect(events.record(report('failed', 'copy', { message: 'tail' }), T(20))).toBe('recorded');
    expect(events.record(report('failed', 'copy', { message: 'tail again' }), T(30))).toBe('recorded');
    expect(events.record(report('installing', 'copy', { percent: 1 }), T(40))).toBe('recorded');
    expect(rows().map((r) => (r as { state: string }).state)).toEqual(['installing', 'failed', 'failed', 'installing']);
    expect(events.recent('node001', 2).map((e) => [e.state, e.at])).toEqual([['failed', T(30)], ['installing', T(40)]]);
  });

  it('records an event id once, whether it came over HTTP or as an uploaded report', async () => {
    const handle = createEventsHandler({ events, now: () => new Date(T(0)) });
    expect(await handle(JSON.stringify({ host: 'node001', phase: 'report', state: 'installed', event: 'e-7' }), '10.9.0.11')).toEqual({ status: 200, body: 'recorded\n' });
    const before = dumpRegistry(home);
    const incoming = reportPaths(paths).incoming;
    fs.mkdirSync(incoming, { recursive: true });
    fs.writeFileSync(path.join(incoming, 'node001.e-7.json'), JSON.stringify({ host: 'node001', event: 'e-7', state: 'installed', phase: 'report' }));
    expect(ingestReports({ paths, db })).toEqual({ recorded: [], setAside: [] });
    expect(fs.readdirSync(incoming)).toEqual([]);
    expect(dumpRegistry(home)).toEqual(before);
    expect(db.prepare("SELECT boot_mode, install_state FROM clients WHERE hostname = 'node001'").get()).toEqual({ boot_mode: 'local', install_state: 'installed' });
  });

  it('migration 4 keeps a version-3 history: updated_at is its time, no progress', () => {
    db.close();
    const old = path.join(home, 'v3.db');
    const v3 = openDatabase(old, { migrations: MIGRATIONS.filter((m) => m.version <= 3) });
    v3.prepare("INSERT INTO images (name, origin, created_at, updated_at) VALUES ('i', 't', 'x', 'x')").run();
    v3.prepare("INSERT INTO clients (hostname, ip, netmask, image, created_at, updated_at) VALUES ('n1', '10.0.0.1', '255.255.255.0', 'i', 'x', 'x')").run();
    v3.prepare("INSERT INTO install_events (host, event_id, state, phase, at) VALUES ('n1', 'e1', 'installing', 'copy', ?)").run(T(3));
    v3.close();
    db = openDatabase(old);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    expect(db.prepare('SELECT percent, bytes, rate, at, updated_at FROM install_events').all()).toEqual([{ percent: null, bytes: null, rate: null, at: T(3), updated_at: T(3) }]);
    expect(new InstallEvents(db).last('n1')).toMatchObject({ updatedAt: T(3), percent: null });
  });
});

// Install reports as they arrive in reports/incoming, recorded into a real SQLite registry: directly, and by
// `si client show/list` (which record what is pending before they read).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { homePaths, type HomePaths } from '../../../src/core/home.js';
import { MAX_REPORT_BYTES, reportPaths } from '../../../src/core/reports/index.js';
import { openDatabase, type Db } from '../../../src/infra/db/database.js';
import { InstallEvents, STALE_UPLOAD_MS, ingestReports } from '../../../src/infra/reports/index.js';
import { makeImage } from '../../support/images.js';
import { dumpRegistry, si, siOk } from '../../support/si.js';

describe('ingestReports', () => {
  let home: string;
  let paths: HomePaths;
  let incoming: string;
  let db: Db;

  beforeEach(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'si-reports-'));
    paths = homePaths(home);
    incoming = reportPaths(paths).incoming;
    fs.mkdirSync(incoming, { recursive: true });
    makeImage(home, 'bookworm');
    await siOk(home, ['addclients', '--hosts', 'node[001-002]', '--ip', '10.9.0.11', '--image', 'bookworm']);
    db = openDatabase(paths.database);
  });
  afterEach(() => {
    db.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  /** Writes a report as the daemon would leave it, received `secondsAgo` ago. */
  const put = (name: string, content: unknown, secondsAgo = 0) => {
    const file = path.join(incoming, name);
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    const when = new Date(Date.now() - secondsAgo * 1000);
    fs.utimesSync(file, when, when);
    return file;
  };
  const report = (host: string, event: string, state: string, phase: string, message = '') => ({ host, event, state, phase, mac: '52:54:00:aa:00:01', message });
  const stateOf = (host: string) => (db.prepare('SELECT install_state FROM clients WHERE hostname = ?').get(host) as { install_state: string }).install_state;

  it('records an install in the order received, sets the client state from the newest, removes the files, and records a file only once', () => {
    // Named so that name order is the wrong order: the receive time decides.
    put('node001.b-1.json', report('node001', 'b-1', 'installing', 'pre-install'), 60);
    put('node001.a-2.json', report('node001', 'a-2', 'installed', 'report', 'installed node001 from image bookworm'), 5);
    const result = ingestReports({ paths, db });
    expect(result.setAside).toEqual([]);
    expect(result.recorded.map((r) => [r.host, r.state, r.phase])).toEqual([
      ['node001', 'installing', 'pre-install'],
      ['node001', 'installed', 'report'],
    ]);
    expect(stateOf('node001')).toBe('installed');
    expect(stateOf('node002')).toBe('new');
    // The success disarms the host: its netboot entry boots the local disk from now on.
    const bootOf = (host: string) => (db.prepare('SELECT boot_mode FROM clients WHERE hostname = ?').get(host) as { boot_mode: string }).boot_mode;
    expect(bootOf('node001')).toBe('local');
    expect(bootOf('node002')).toBe('install');
    const events = new InstallEvents(db);
    expect(events.list('node001').map((e) => [e.event, e.state, e.phase, e.mac])).toEqual([
      ['b-1', 'installing', 'pre-install', '52:54:00:aa:00:01'],
      ['a-2', 'installed', 'report', '52:54:00:aa:00:01'],
    ]);
    expect(events.last('node001')).toMatchObject({ state: 'installed', phase: 'report', message: 'installed node001 from image bookworm' });
    expect(fs.readdirSync(incoming)).toEqual([]);

    // The same report again (an upload repeated, or a crash between recording and removing): no new event.
    const before = dumpRegistry(home);
    put('node001.b-1.json', report('node001', 'b-1', 'installing', 'pre-install'));
    expect(ingestReports({ paths, db })).toEqual({ recorded: [], setAside: [] });
    expect(dumpRegistry(home)).toEqual(before);
    expect(fs.readdirSync(incoming)).toEqual([]);
  });

  it('sets aside and logs forged, malformed, huge and odd files, an unknown host, and an abandoned upload; the registry is unchanged', () => {
    const before = dumpRegistry(home);
    put('node001.x1.json', report('node002', 'x1', 'installed', 'report'));
    put('node001.x2.json', '{"host":"node001","event":"x2","state":');
    put('node001.x3.json', JSON.stringify(report('node001', 'x3', 'installed', 'report')).padEnd(4 * MAX_REPORT_BYTES, ' '));
    put('ghost.x4.json', report('ghost', 'x4', 'installed', 'report'));
    put('node001.x5.json', report('node001', 'x5', 'new', 'report'));
    put('NODE001.x10.json', 'x');
    fs.symlinkSync('/etc/shadow', path.join(incoming, 'node001.x6.json'));
    fs.mkdirSync(path.join(incoming, 'node001.x7.json'));
    put('.node001.x8.json.AbC123', 'half an upload', STALE_UPLOAD_MS / 1000 + 60);
    put('.node001.x9.json.XyZ789', 'an upload in progress');

    const { recorded, setAside } = ingestReports({ paths, db });
    expect(recorded).toEqual([]);
    expect(Object.fromEntries(setAside.map((s) => [s.file, s.reason]))).toEqual({
      'node001.x1.json': "the report's host does not match the file name's (node001)",
      'node001.x2.json': 'not JSON',
      'node001.x3.json': `larger than ${MAX_REPORT_BYTES} bytes (${4 * MAX_REPORT_BYTES})`,
      'ghost.x4.json': 'no client named ghost in the registry',
      'node001.x5.json': expect.stringMatching(/^invalid report: state:/),
      'NODE001.x10.json': 'the file name is not HOST.EVENT.json with a valid host name',
      'node001.x6.json': 'a symbolic link, not a file',
      'node001.x7.json': 'not a regular file',
      '.node001.x8.json.AbC123': 'an upload that never completed',
    });
    expect(dumpRegistry(home)).toEqual(before);
    // Only the upload in progress stays; the rest waits in rejected/ for the administrator, unread.
    expect(fs.readdirSync(incoming)).toEqual(['.node001.x9.json.XyZ789']);
    expect(fs.readdirSync(reportPaths(paths).rejected).sort()).toEqual(setAside.map((s) => s.file).sort());
    const log = fs.readFileSync(path.join(home, 'log/reports.log'), 'utf8');
    expect(log.trim().split('\n')).toHaveLength(9);
    expect(log).toContain('set aside "ghost.x4.json": no client named ghost in the registry');
    expect(log).not.toContain('root:');
  });

  it('si client show records what is pending and prints the last install; two si at once record each report once', async () => {
    put('node001.e-1.json', report('node001', 'e-1', 'installing', 'pre-install'), 30);
    put('node001.e-2.json', report('node001', 'e-2', 'failed', 'copy', 'rsync: chdir failed\nrsync error: code 5'), 10);
    put('node002.e-3.json', report('node001', 'e-3', 'installed', 'report'));
    const shown = await si(home, ['client', 'show', 'node001', '--json']);
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      hostname: 'node001',
      installState: 'failed',
      lastInstall: { state: 'failed', phase: 'copy', message: 'rsync: chdir failed\nrsync error: code 5', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    });
    expect(shown.stderr).toBe('warning: install report "node002.e-3.json" set aside in reports/rejected: the report\'s host does not match the file name\'s (node002)\n');
    const text = await siOk<string>(home, ['client', 'show', 'node001']);
    expect(text).toMatch(/^installState +failed$/m);
    expect(text).toMatch(/^lastInstall +failed at \d{4}-\S+ \(phase copy\), started \d{4}-\S+, took 20\.\d s$/m);
    expect(await siOk<string>(home, ['client', 'show', 'node002'])).toMatch(/^lastInstall +-$/m);

    for (let n = 0; n < 300; n += 1) put(`node002.p-${n}.json`, report('node002', `p-${n}`, n === 299 ? 'installed' : 'installing', `copy-${n}`), 300 - n);
    const [a, b] = await Promise.all([si(home, ['client', 'list', '--json']), si(home, ['client', 'list', '--json'])]);
    expect([a.exitCode, b.exitCode, a.stderr, b.stderr]).toEqual([0, 0, '', '']);
    expect(new InstallEvents(db).list('node002').map((e) => e.event)).toEqual(Array.from({ length: 300 }, (_, n) => `p-${n}`));
    expect(stateOf('node002')).toBe('installed');
    expect(fs.readdirSync(incoming)).toEqual([]);
  });
});

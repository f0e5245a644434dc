// The installer's side of install reports, run with sh against a real rsync daemon on 127.0.0.1: what it
// sends and when, that any log text arrives as a valid report, and that an unreachable server costs the
// install at most the timeout and never its exit status.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homePaths, type HomePaths } from '../../../src/core/home.js';
import { reportPaths } from '../../../src/core/reports/index.js';
import { makeAutoinstallScripts } from '../../../src/infra/autoinstall/make-autoinstall-scripts.js';
import { ClientRegistry } from '../../../src/infra/db/client-registry.js';
import { openDatabase, type Db } from '../../../src/infra/db/database.js';
import { InstallEvents, ingestReports } from '../../../src/infra/reports/index.js';
import { runRsyncDaemon, writeRsyncdConf } from '../../../src/infra/rsyncd/index.js';
import { capture } from '../../../src/infra/run.js';
import { createRenderer } from '../../../src/infra/templates.js';
import { materializeRoot } from '../../fixtures/roots/materialize.js';
import { FIXTURE_ROOTS } from '../../fixtures/roots/trees.js';
import { makeImage } from '../../support/images.js';
import { client, GPT_LAYOUT } from '../autoinstall/fixtures.js';
import { removeDir, tempDir } from '../configure/trees.js';
import { freePort, waitForModules } from '../rsyncd/rsyncd-fixtures.js';

describe('the install script reports to the rsync daemon', () => {
  let work: string;
  let paths: HomePaths;
  let db: Db;
  let port: number;
  const controller = new AbortController();
  let daemon: Promise<void> | undefined;

  beforeAll(async () => {
    work = tempDir('si-report-sh-');
    paths = homePaths(path.join(work, 'home'));
    makeImage(paths.home, 'gpt');
    db = openDatabase(paths.database);
    const node = client(1, { image: 'gpt' });
    new ClientRegistry(db).saveClients([node], new Date().toISOString());
    const root = materializeRoot(FIXTURE_ROOTS[0]!, path.join(work, 'image'));
    const renderer = createRenderer();
    await makeAutoinstallScripts({ paths, image: 'gpt', imageTree: root, layout: GPT_LAYOUT, clients: [node], renderer });
    port = await freePort();
    daemon = runRsyncDaemon({ paths, address: '127.0.0.1', port, reload: () => writeRsyncdConf({ paths, renderer, clients: [], images: ['gpt'], address: '127.0.0.1', port }), signal: controller.signal });
    daemon.catch(() => undefined);
    await waitForModules(`rsync://127.0.0.1:${port}/`, { want: 'scripts' });
  });

  afterAll(async () => {
    controller.abort();
    await daemon?.catch(() => undefined);
    db?.close();
    if (work) removeDir(work);
  });

  /** Sources the master without running it, as node001 on a server at 127.0.0.1:`to`, then runs `lines`. */
  const inScript = async (lines: string[], { to = port, env = {} }: { to?: number; env?: Record<string, string> } = {}) => {
    const driver = path.join(work, 'driver.sh');
    const setup = [`SI_SOURCE_ONLY=1 . '${path.join(paths.scripts, 'gpt.master')}'`, 'exec 3>&1', 'SI_HOST=node001', 'SI_IMAGE=gpt'];
    fs.writeFileSync(driver, [...setup, ...lines, ''].join('\n'));
    return capture(['sh', driver], { env: { SI_SERVER: '127.0.0.1', SI_RSYNC_PORT: String(to), SI_CMDLINE: '/nonexistent', SI_LOG: path.join(work, 'install.log'), TMPDIR: work, ...env }, timeout: 60_000 });
  };
  const record = () => ingestReports({ paths, db });

  it('sends installing once, at the first phase after detect, and failed with the log tail; nothing for done', async () => {
    fs.writeFileSync(path.join(work, 'install.log'), `${Array.from({ length: 30 }, (_, n) => `line ${n + 1}`).join('\n')}\n${'x'.repeat(500)}\n`);
    const result = await inScript(['si_report detect start', 'si_report detect done', 'si_report pre-install start', 'si_report pre-install done', 'si_report partition start', 'si_report partition failed']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(record().recorded.map((r) => [r.state, r.phase])).toEqual([
      ['installing', 'pre-install'],
      ['failed', 'partition'],
    ]);
    const failed = new InstallEvents(db).last('node001');
    expect(failed?.message).toBe(`${Array.from({ length: 9 }, (_, n) => `line ${n + 22}`).join('\n')}\n${'x'.repeat(200)}`);
  });

  it('sends any log text as a valid report: quotes, backslashes, tabs, control characters and bad UTF-8', async () => {
    const text = Buffer.concat([Buffer.from('line "one" \\ back\tslash\r\nctl\x01\x1b[31mred\nutf8 é and bad '), Buffer.from([0xff]), Buffer.from(' byte\nlast\n')]);
    fs.writeFileSync(path.join(work, 'message'), text);
    const result = await inScript([`si_report_send installed report "$(cat '${path.join(work, 'message')}')"`]);
    expect(result.exitCode, result.stderr).toBe(0);
    const { recorded, setAside } = record();
    expect(setAside).toEqual([]);
    expect(recorded.map((r) => r.message)).toEqual(['line "one" \\ back slash\nctl[31mred\nutf8 é and bad \ufffd byte\nlast']);
  });

  it('gives up on an unreachable server within the timeout, says so once, and returns 0', async () => {
    const closed = await freePort();
    const started = Date.now();
    const result = await inScript(['si_report_send installed report done', 'echo "status $?"'], { to: closed, env: { SI_REPORT_TIMEOUT: '5' } });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.stdout).toBe('status 0\n');
    expect(result.stderr).toMatch(/^si: could not send the install report \(installed\): .*; the install goes on\n$/);
    expect(fs.readdirSync(work).filter((name) => name.startsWith('sisuite-report'))).toEqual([]);
  });

  it('sends nothing without a server or with si.report=no', async () => {
    fs.writeFileSync(path.join(work, 'cmdline'), 'quiet si.report=no\n');
    for (const env of [{ SI_SERVER: '' }, { SI_CMDLINE: path.join(work, 'cmdline') }] as Record<string, string>[]) {
      const result = await inScript(['si_report pre-install start', 'si_report_send installed report done'], { env });
      expect([result.exitCode, result.stderr]).toEqual([0, '']);
    }
    expect(fs.readdirSync(reportPaths(paths).incoming)).toEqual([]);
  });
});

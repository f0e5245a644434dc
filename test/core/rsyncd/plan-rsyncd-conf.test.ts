import { describe, expect, it } from 'vitest';
import { homePaths } from '../../../src/core/home.js';
import { planRsyncdConf, rsyncdPaths } from '../../../src/core/rsyncd/index.js';
import { createRenderer } from '../../../src/infra/templates.js';

const paths = homePaths('/var/lib/sisuite');
const renderer = createRenderer();

describe('planRsyncdConf', () => {
  it('serves each image from its images/NAME link, then scripts, overrides and boot', () => {
    const plan = planRsyncdConf({ paths, images: ['web', 'compute', 'web'], networks: ['10.0.0.0/24'] });
    expect(plan.modules.map((m) => [m.name, m.path])).toEqual([
      ['compute', '/var/lib/sisuite/images/compute'],
      ['web', '/var/lib/sisuite/images/web'],
      ['scripts', '/var/lib/sisuite/scripts'],
      ['overrides', '/var/lib/sisuite/overrides'],
      ['boot', '/var/lib/sisuite/boot'],
      ['reports', '/var/lib/sisuite/reports/incoming'],
    ]);
    expect(plan.hostsAllow).toEqual(['127.0.0.1', '::1', '10.0.0.0/24']);
    expect(plan).toMatchObject({ address: null, port: null, timeout: 600, maxConnections: 0, transferLogging: 'no' });
    expect(plan.logFile).toBe('/var/lib/sisuite/log/rsyncd.log');
  });

  it('takes install reports on a write-only module: plain files only, owned by si, never listed or read back', () => {
    const plan = planRsyncdConf({ paths, images: ['web'], networks: ['10.0.0.0/24'], reportsUid: 1001, reportsGid: 1002 });
    const settings = (name: string) => Object.fromEntries((plan.modules.find((m) => m.name === name)?.settings ?? []).map((s) => [s.key, s.value]));
    expect(settings('reports')).toEqual({
      uid: '1001',
      gid: '1002',
      'read only': 'no',
      'write only': 'yes',
      list: 'no',
      'refuse options': '* !timeout',
      'incoming chmod': 'D0700,F0600',
    });
    // Every other module keeps the global read-only defaults.
    for (const name of ['web', 'scripts', 'overrides', 'boot']) expect(settings(name)).toEqual({});
    expect(planRsyncdConf({ paths, images: [], networks: [] }).modules.at(-1)?.settings.slice(0, 2)).toEqual([
      { key: 'uid', value: '0' },
      { key: 'gid', value: '0' },
    ]);
    expect(() => planRsyncdConf({ paths, images: [], networks: [], reportsUid: -1 })).toThrow(/reports uid -1/);
    expect(() => planRsyncdConf({ paths, images: ['reports'], networks: [] })).toThrow(/si image mv reports NEWNAME/);
  });

  it('admits only the server itself while there are no clients', () => {
    expect(planRsyncdConf({ paths, images: [], networks: [] }).hostsAllow).toEqual(['127.0.0.1', '::1']);
  });

  it('refuses an image named like a fixed module, bad names, addresses, ports and networks', () => {
    expect(() => planRsyncdConf({ paths, images: ['boot'], networks: [] })).toThrow(/si image mv boot NEWNAME/);
    expect(() => planRsyncdConf({ paths, images: ['a]b'], networks: [] })).toThrow(/invalid image name/);
    expect(() => planRsyncdConf({ paths, images: [], networks: [], address: 'server' })).toThrow(/not an IP address/);
    expect(() => planRsyncdConf({ paths, images: [], networks: [], port: 70000 })).toThrow(/not a TCP port/);
    expect(() => planRsyncdConf({ paths, images: [], networks: ['10.0.0.0/24\nhosts allow = *'] })).toThrow(/not an IPv4 CIDR/);
  });

  it("doubles '%' in paths (rsync expands %VAR%) and refuses a home with a line break", () => {
    const odd = planRsyncdConf({ paths: homePaths('/srv/si%HOME%'), images: ['a'], networks: [] });
    expect(odd.modules[0]?.path).toBe('/srv/si%%HOME%%/images/a');
    expect(() => planRsyncdConf({ paths: homePaths('/srv/x\n[all]'), images: [], networks: [] })).toThrow(/line breaks/);
  });

  it('keeps its files under SI_HOME', () => {
    expect(rsyncdPaths(paths)).toEqual({
      conf: '/var/lib/sisuite/rsyncd.conf',
      log: '/var/lib/sisuite/log/rsyncd.log',
      lock: '/var/lib/sisuite/rsyncd.lock',
    });
  });
});

describe('rsyncd.conf template', () => {
  it('renders two images and two client networks', async () => {
    const context = planRsyncdConf({ paths, images: ['compute', 'login'], networks: ['10.0.0.0/16', '192.168.5.0/24'] });
    await expect(renderer.render('rsyncd/rsyncd.conf', context)).toMatchFileSnapshot('golden/rsyncd.conf');
  });

  it('renders an address and a port, and no image modules before the first capture', async () => {
    const context = planRsyncdConf({ paths, images: [], networks: [], address: '10.0.0.1', port: 8873 });
    await expect(renderer.render('rsyncd/rsyncd.conf', context)).toMatchFileSnapshot('golden/rsyncd-empty.conf');
  });
});

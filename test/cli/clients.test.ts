// si addclients, client, group and hosts against a real SQLite registry.
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dumpRegistry, si, siOk } from '../support/si.js';
import { makeImage } from '../support/images.js';

type Client = { hostname: string; ip: string; macs: string[]; groups: string[]; image: string; bootMode: string; gateway: string | null };

describe('si addclients and the client registry', () => {
  let home: string;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'si-clients-'));
    makeImage(home, 'rocky9');
    makeImage(home, 'debian12');
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  /** A refused command: one error line, non-zero exit, registry unchanged. */
  async function expectRefused(args: string[], message: RegExp): Promise<void> {
    const before = dumpRegistry(home);
    const result = await si(home, args);
    expect(result.exitCode, result.stdout).not.toBe(0);
    const errors = result.stderr.trim().split('\n').filter((l) => l.startsWith('si: '));
    expect(errors, result.stderr).toHaveLength(1);
    expect(errors[0]).toMatch(message);
    expect(dumpRegistry(home)).toEqual(before);
  }

  it('adds a range with addresses counted up across an octet boundary, MACs from CSV, a group; re-running changes nothing', async () => {
    const macs = join(home, 'macs.csv');
    writeFileSync(macs, 'hostname,mac\n# rack 1\nnode253,52:54:00:00:00:FD\nnode255,52-54-00-00-00-ff\n');
    const args = ['addclients', '--hosts', 'node[253-256]', '--ip', '10.1.0.253', '--netmask', '255.255.254.0', '--gateway', '10.1.0.1', '--image', 'rocky9', '--group', 'compute', '--macs', macs];
    await siOk(home, args);
    const clients = await siOk<Client[]>(home, ['client', 'list', '--json']);
    expect(clients.map((c) => [c.hostname, c.ip, c.macs, c.groups])).toEqual([
      ['node253', '10.1.0.253', ['52:54:00:00:00:fd'], ['compute']],
      ['node254', '10.1.0.254', [], ['compute']],
      ['node255', '10.1.0.255', ['52:54:00:00:00:ff'], ['compute']],
      ['node256', '10.1.1.0', [], ['compute']],
    ]);
    const before = dumpRegistry(home);
    const again = await siOk(home, args);
    expect(again).toMatch(/added 0 clients, 4 unchanged/);
    expect(dumpRegistry(home)).toEqual(before);
    const groups = await siOk<{ name: string; members: number }[]>(home, ['group', 'list', '--json']);
    expect(groups).toEqual([{ name: 'compute', image: null, overrides: [], members: 4 }]);
  });

  it('expands bracket products; starts after the network address; a /23 runs through x.x.6.255 and x.x.7.0', async () => {
    await siOk(home, ['addclients', '--hosts', 'rack[1-2]n[01-02]', '--ip', '10.2.0.0', '--image', 'debian12']);
    await siOk(home, ['addclients', '--hosts', 'gpu[1-3]', '--ip', '192.168.6.254', '--netmask', '23', '--image', 'debian12']);
    const clients = await siOk<Client[]>(home, ['client', 'list', '--json']);
    expect(clients.map((c) => `${c.hostname}=${c.ip}`)).toEqual([
      'gpu1=192.168.6.254',
      'gpu2=192.168.6.255',
      'gpu3=192.168.7.0',
      'rack1n01=10.2.0.1',
      'rack1n02=10.2.0.2',
      'rack2n01=10.2.0.3',
      'rack2n02=10.2.0.4',
    ]);
  });

  it('refuses overlaps, a range past the subnet, duplicate MACs and unknown images, changing nothing', async () => {
    await siOk(home, ['addclients', '--hosts', 'node[01-10]', '--ip', '10.0.0.1', '--image', 'rocky9']);
    await expectRefused(['addclients', '--hosts', 'gpu[01-05]', '--ip', '10.0.0.8', '--image', 'rocky9'], /IP 10\.0\.0\.8 for gpu01 is already held by node08/);
    await expectRefused(['addclients', '--hosts', 'node[09-12]', '--ip', '10.0.0.50', '--image', 'rocky9'], /node09 already exists with/);
    await expectRefused(['addclients', '--hosts', 'big[001-300]', '--ip', '10.0.0.100', '--image', 'rocky9'], /300 addresses from 10\.0\.0\.100 do not fit in 10\.0\.0\.0\/24/);
    const macs = join(home, 'macs.csv');
    writeFileSync(macs, 'gpu01,52:54:00:00:00:01\ngpu02,52:54:00:00:00:01\n');
    await expectRefused(['addclients', '--hosts', 'gpu[01-02]', '--ip', '10.0.0.200', '--image', 'rocky9', '--macs', macs], /52:54:00:00:00:01/);
    await expectRefused(['addclients', '--hosts', 'gpu[01-02]', '--ip', '10.0.0.200', '--image', 'nosuch'], /no image named nosuch/);
    await expectRefused(['addclients', '--hosts', 'Bad[1-2]', '--ip', '10.0.0.200', '--image', 'rocky9'], /invalid host name|Bad/);
    await expectRefused(['image', 'rm', 'rocky9'], /image rocky9 is used by 10 clients/);
  });

  it('addclients --dry-run lists the hosts it would add and changes nothing', async () => {
    const macs = join(home, 'macs.csv');
    writeFileSync(macs, 'node2,52:54:00:00:00:02\n');
    const before = dumpRegistry(home);
    const shown = await siOk<string>(home, ['addclients', '--hosts', 'node[1-3]', '--ip', '10.0.0.11', '--image', 'rocky9', '--macs', macs, '--dry-run']);
    expect(shown.split('\n').map((l) => l.trim().split(/\s+/).join(' '))).toEqual([
      'HOST IP MACS',
      'node1 10.0.0.11 -',
      'node2 10.0.0.12 52:54:00:00:00:02',
      'node3 10.0.0.13 -',
      'would add 3 clients (node[1-3]), 0 unchanged',
      '',
    ]);
    expect(dumpRegistry(home)).toEqual(before);
  });

  it('client set changes addresses and MACs with the checks addclients makes', async () => {
    await siOk(home, ['addclients', '--hosts', 'node[1-3]', '--ip', '10.0.0.11', '--gateway', '10.0.0.1', '--image', 'rocky9']);
    expect(await siOk(home, ['client', 'set', 'node[2-3]', '--ip', '10.0.1.20', '--netmask', '/23'])).toMatch(/^changed 2 clients \(node\[2-3\]\), 0 unchanged/);
    await siOk(home, ['client', 'set', 'node1', '--macs', '52-54-00-00-00-AA,52:54:00:00:00:bb']);
    const clients = await siOk<(Client & { netmask: string })[]>(home, ['client', 'list', '--json']);
    expect(clients.map((c) => [c.hostname, c.ip, c.netmask, c.macs])).toEqual([
      ['node1', '10.0.0.11', '255.255.255.0', ['52:54:00:00:00:aa', '52:54:00:00:00:bb']],
      ['node2', '10.0.1.20', '255.255.254.0', []],
      ['node3', '10.0.1.21', '255.255.254.0', []],
    ]);
    expect(await siOk(home, ['client', 'set', 'node1', '--boot', 'install'])).toMatch(/^changed 0 clients, 1 unchanged/);
    await expectRefused(['client', 'set', 'node2', '--macs', '52:54:00:00:00:aa'], /MAC 52:54:00:00:00:aa for node2 is already held by node1/);
  });

  it('changes, lists, exports, imports and removes clients; prints an /etc/hosts fragment', async () => {
    await siOk(home, ['addclients', '--hosts', 'node[1-3]', '--ip', '10.0.0.11', '--domain', 'hpc.example.org', '--image', 'rocky9']);
    await siOk(home, ['client', 'set', 'node[2-3]', '--image', 'debian12', '--boot', 'local']);
    const shown = await siOk<Client>(home, ['client', 'show', 'node2', '--json']);
    expect([shown.image, shown.bootMode]).toEqual(['debian12', 'local']);
    expect(await siOk(home, ['hosts'])).toContain('10.0.0.12\tnode2.hpc.example.org node2');

    const exported = join(home, 'clients.csv');
    await siOk(home, ['client', 'export', '--output', exported]);
    const before = dumpRegistry(home);
    expect(await siOk(home, ['client', 'import', exported])).toMatch(/0 added, 0 changed, 3 unchanged/);
    expect(dumpRegistry(home)).toEqual(before);

    await siOk(home, ['client', 'rm', 'node[1-2]']);
    expect((await siOk<Client[]>(home, ['client', 'list', '--json'])).map((c) => c.hostname)).toEqual(['node3']);
    expect(await siOk(home, ['client', 'import', exported])).toMatch(/2 added, 0 changed, 1 unchanged/);
    expect(readFileSync(exported, 'utf8').split('\n')[0]).toMatch(/^hostname,/);
    await expectRefused(['client', 'set', 'node[3-4]', '--boot', 'local'], /no client named node4/);
    await expectRefused(['client', 'set', 'node3', '--boot', 'pxe'], /invalid --boot "pxe": use install or local/);
    await expectRefused(['group', 'rm', 'nosuch'], /no group named nosuch/);
  });
});

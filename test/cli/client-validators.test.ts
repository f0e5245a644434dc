// One validator per record, on every path that writes one: each refusal below runs the real bin/si against
// a temporary home, prints one line, exits non-zero, and leaves the registry dump exactly as it was.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpRegistry, si, siOk } from '../support/si.js';
import { makeImage } from '../support/images.js';

/** Lines of a file that is not the user's input: none of it may reach an error message. */
const SHADOW = 'root:$y$j9T$SECRETHASH:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n';
const HEADER = 'hostname,ip,netmask,gateway,dns,macs,image,groups,overrides';

describe('every path that writes a client or group goes through its validator', () => {
  let home: string;
  const file = (name: string, text: string) => {
    const path = join(home, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'si-validators-'));
    makeImage(home, 'rocky9');
    makeImage(home, 'debian12');
    await siOk(home, ['group', 'add', 'gpu']);
    const macs = join(home, 'macs.csv');
    writeFileSync(macs, 'node1,52:54:00:00:00:01\n');
    await siOk(home, ['addclients', '--hosts', 'node[1-3]', '--ip', '10.0.0.11', '--gateway', '10.0.0.1', '--image', 'rocky9', '--group', 'gpu', '--macs', macs]);
    await siOk(home, ['addclients', '--hosts', 'node9', '--ip', '10.0.0.19', '--gateway', '10.0.0.1', '--image', 'rocky9']);
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  async function expectRefused(args: string[], message: RegExp): Promise<void> {
    const before = dumpRegistry(home);
    const result = await si(home, args);
    expect(result.exitCode, result.stdout).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^si: /);
    expect(lines[0]).toMatch(message);
    expect(lines[0]).not.toMatch(/SECRETHASH|root:|daemon/);
    expect(dumpRegistry(home)).toEqual(before);
  }

  it.each([
    [['--dns', '1.2.3.4;touch X'], /node2: "1\.2\.3\.4;touch X" is not a valid DNS server address/],
    [['--groups', 'nosuchgroup'], /node2: no group named nosuchgroup: create it with 'si group add nosuchgroup' first/],
    [['--groups', 'gpu,gpu'], /node2: group gpu is listed twice/],
    [['--overrides', '../x'], /invalid override name "\.\.\/x"/],
    [['--gateway', '192.168.1.1'], /node2: gateway 192\.168\.1\.1 is not a host address in 10\.0\.0\.0\/24/],
    [['--netmask', '/29'], /node2: gateway 10\.0\.0\.1 is not a host address in 10\.0\.0\.8\/29/],
    [['--ip', '10.0.0.255'], /10\.0\.0\.255 is the broadcast address of 10\.0\.0\.0\/24/],
    [['--ip', '10.0.0.19'], /IP 10\.0\.0\.19 for node2 is already held by node9/],
    [['--ip', '10.0.0.1'], /node2: the gateway 10\.0\.0\.1 is the host's own IP/],
    [['--macs', '52:54:00:00:00:01'], /MAC 52:54:00:00:00:01 for node2 is already held by node1/],
    [['--macs', 'zz'], /"zz" is not a MAC address/],
    [['--image', 'nosuch'], /no image named nosuch/],
    [[], /nothing to change: give at least one of --image/],
  ])('si client set node2 %j is refused', async (options, message) => {
    await expectRefused(['client', 'set', 'node2', ...options], message);
  });

  it('si client set refuses MACs for a range and an unknown host', async () => {
    await expectRefused(['client', 'set', 'node[2-3]', '--macs', '52:54:00:00:00:22'], /--macs gives the MACs of one host, but the range names 2/);
    await expectRefused(['client', 'set', 'node[3-4]', '--boot', 'local'], /no client named node4/);
  });

  it.each([
    ['network address', 'n5,10.0.0.0,24,,,,rocky9,,', /n5: IP 10\.0\.0\.0 is the network address of 10\.0\.0\.0\/24/],
    ['broadcast address', 'n5,10.0.0.255,24,,,,rocky9,,', /n5: IP 10\.0\.0\.255 is the broadcast address/],
    ['off-subnet gateway', 'n5,10.0.0.50,24,10.9.0.1,,,rocky9,,', /n5: gateway 10\.9\.0\.1 is not a host address in 10\.0\.0\.0\/24/],
    ['shell in DNS', 'n5,10.0.0.50,24,,1.2.3.4;touch X,,rocky9,,', /import\.csv:2: "1\.2\.3\.4;touch" is not a valid DNS server address/],
    ['dangling group', 'n5,10.0.0.50,24,,,,rocky9,nosuchgroup,', /n5: no group named nosuchgroup/],
    ['repeated group', 'n5,10.0.0.50,24,,,,rocky9,gpu gpu,', /n5: group gpu is listed twice/],
    ['path as override', 'n5,10.0.0.50,24,,,,rocky9,,../x', /invalid override name "\.\.\/x"/],
    ['held IP', 'n5,10.0.0.19,24,,,,rocky9,,', /IP 10\.0\.0\.19 for n5 is already held by node9; nothing was imported/],
    ['held MAC', 'n5,10.0.0.50,24,,,52:54:00:00:00:01,rocky9,,', /MAC 52:54:00:00:00:01 for n5 is already held by node1/],
    ['unknown image', 'n5,10.0.0.50,24,,,,nosuch,,', /n5: no image named nosuch/],
  ])('si client import refuses a %s', async (_what, row, message) => {
    await expectRefused(['client', 'import', file('import.csv', `${HEADER}\n${row}\n`)], message);
  });

  it('si client import of a file that is no clients CSV names the file and column, not its content', async () => {
    await expectRefused(['client', 'import', file('shadow', SHADOW)], /shadow:1: column 1 of the header is not a known column/);
  });

  it.each([
    [['--dns', '1.2.3.4;touch X'], /"1\.2\.3\.4;touch X" is not a valid DNS server address/],
    [['--gateway', '10.1.0.1'], /gateway 10\.1\.0\.1 is not a host address in 10\.0\.0\.0\/24/],
    [['--ip', '10.0.0.255'], /10\.0\.0\.255 is the broadcast address/],
    [['--ip', '10.0.0.18'], /IP 10\.0\.0\.19 for n2 is already held by node9/],
    [['--group', ''], /^si: invalid group name \(empty\): use 1-63/],
    [['--image', 'nosuch'], /no image named nosuch/],
  ])('si addclients --hosts n[1-2] %j is refused', async (options, message) => {
    await expectRefused(['addclients', '--hosts', 'n[1-2]', '--ip', '10.0.0.50', '--image', 'rocky9', ...options], message);
  });

  it('si addclients --macs naming a file that is no MAC list names the file and line, not its content', async () => {
    await expectRefused(['addclients', '--hosts', 'n[1-2]', '--ip', '10.0.0.50', '--image', 'rocky9', '--macs', file('shadow', SHADOW)], /shadow:1: the first field is not a host name/);
  });

  it.each([
    [['add', ''], /^si: invalid group name \(empty\): use 1-63 characters/],
    [['add', 'gpu'], /group gpu exists already: change it with 'si group set gpu'/],
    [['add', 'io', '--overrides', '../x'], /^si: invalid override name "\.\.\/x"/],
    [['add', 'io', '--overrides', 'a,a'], /group io: override a is listed twice/],
    [['add', 'io', '--image', 'nosuch'], /no image named nosuch/],
    [['set', 'nosuch', '--image', 'rocky9'], /no group named nosuch: create it with 'si group add nosuch'/],
    [['set', 'gpu'], /nothing to change for group gpu/],
    [['rm', 'gpu'], /group gpu still has 3 members \(node1\.\.\.\)/],
    [['rm', 'nosuch'], /no group named nosuch/],
  ])('si group %j is refused', async (args, message) => {
    await expectRefused(['group', ...args], message);
  });

  it('si client list and si hosts refuse an unknown image', async () => {
    await expectRefused(['client', 'list', '--image', 'nosuch'], /no image named nosuch/);
    await expectRefused(['hosts', '--image', 'nosuch'], /no image named nosuch/);
  });

  it('a render that meets an invalid record (written behind si\'s back) names the host', async () => {
    const db = new Database(join(home, 'sisuite.db'));
    try {
      db.prepare(`UPDATE clients SET dns = '["1.2.3.4;touch X"]' WHERE hostname = 'node1'`).run();
    } finally {
      db.close();
    }
    const result = await si(home, ['mkautoinstallscript', '--image', 'rocky9']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toMatch(/^si: invalid host configuration: interfaces\.0\.dns\.0: .*\(host node1\)$/);
  });
});

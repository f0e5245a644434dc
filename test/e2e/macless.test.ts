// Hosts without a MAC in the registry, configured for real on a debootstrapped bookworm tree: one defined
// without a MAC (the boot MAC given at install time), one bound by discovery (its MAC recorded then).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/infra/db/database.js';
import { bindUnknownMac } from '../../src/infra/discovery/index.js';
import { capture, run } from '../../src/infra/run.js';
import { minbaseTree } from '../world/debootstrap-cache.js';
import { compareDigests, treeDigest } from '../world/digest.js';
import { ensureBuilt, PROJECT, siOk } from '../support/si.js';
import { makeImageFromTree } from '../support/images.js';

const STAGES = 'identity,hostname,network,fstab';
const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');

describe('si configure --root for hosts without a MAC', () => {
  let work: string;
  let home: string;
  let golden: string;

  /** bin/si with SI_BOOT_MAC as the installer's init exports it (unset when undefined). */
  const siWithBootMac = async (bootMac: string | undefined, args: string[]) => {
    await ensureBuilt();
    return capture([`${PROJECT}bin/si`, '--home', home, ...args], { env: { SI_HOME: undefined, SI_BOOT_MAC: bootMac }, timeout: 300_000 });
  };
  const copy = async (name: string) => {
    const root = join(work, name);
    await run(['cp', '-a', golden, root]);
    return root;
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'si-macless-'));
    home = join(work, 'home');
    golden = join(work, 'golden');
    await minbaseTree(golden);
    writeFileSync(join(golden, 'etc/hostname'), 'golden\n');
    // The golden client's own interface, which a clone must not keep.
    writeFileSync(join(golden, 'etc/network/interfaces.d/ens3'), 'allow-hotplug ens3\niface ens3 inet dhcp\n');
    const image = join(work, 'image');
    await run(['cp', '-a', golden, image]);
    makeImageFromTree(home, 'bookworm', image);
    await siOk(home, ['addclients', '--hosts', 'node[01-02]', '--ip', '10.40.0.21', '--gateway', '10.40.0.1', '--dns', '10.40.0.1', '--domain', 'lab.test', '--image', 'bookworm']);
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('configures the interface whose MAC is $SI_BOOT_MAC with the registry address; ifupdown reads it', async () => {
    const root = await copy('node01');
    const result = await siWithBootMac('52:54:00:AB:CD:01', ['configure', '--root', root, '--host', 'node01', '--stages', STAGES]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/network/);
    const interfaces = read(root, 'etc/network/interfaces');
    expect(interfaces).toContain('auto mac/52:54:00:ab:cd:01/=nic0\niface nic0 inet static\n\taddress 10.40.0.21/24\n\tgateway 10.40.0.1\n\tdns-nameservers 10.40.0.1\n\tdns-search lab.test\n');
    expect(read(root, 'etc/hostname')).toBe('node01\n');
    const query = await run(['chroot', root, 'ifquery', 'nic0']);
    expect(query.stdout).toMatch(/^address: 10\.40\.0\.21$/m);
    expect(query.stdout).toMatch(/^netmask: (24|255\.255\.255\.0)$/m);
    await expect(run(['chroot', root, 'ifquery', 'ens3'])).rejects.toThrow();
    // --boot-mac says the same as SI_BOOT_MAC; applied again, nothing changes (chrooted commands always run).
    const again = await siWithBootMac(undefined, ['configure', '--root', root, '--host', 'node01', '--stages', STAGES, '--boot-mac', '52-54-00-ab-cd-01', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { changes: { action: string }[] }).changes.filter((c) => c.action !== 'command')).toEqual([]);
  });

  it('refuses without a boot MAC, or with a malformed one, in one line, leaving the tree as it was', async () => {
    const root = await copy('node01-refused');
    const before = await treeDigest(root);
    for (const [bootMac, message] of [
      [undefined, /^si: node01 has no MAC in the registry, so its network goes on the interface it boots from: give that interface's MAC \(--boot-mac or SI_BOOT_MAC\), or add the host's MAC \(si client set node01 --macs MAC\)$/],
      ['ff:ff:ff:ff:ff:ff', /^si: ff:ff:ff:ff:ff:ff is a multicast or broadcast MAC address/],
    ] as const) {
      const result = await siWithBootMac(bootMac, ['configure', '--root', root, '--host', 'node01', '--stages', STAGES]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
      expect(result.stderr.trim()).toMatch(message);
    }
    expect(compareDigests(before, await treeDigest(root))).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
  });

  it('configures a host found by discovery on the MAC it was bound to, with no boot MAC needed', async () => {
    await siOk(home, ['client', 'set', 'node02', '--discover']);
    const db = openDatabase(join(home, 'sisuite.db'), { create: false });
    try {
      expect(bindUnknownMac(db, '52:54:00:ab:cd:02', '10.40.0.200')).toEqual({ host: 'node02', bound: true });
    } finally {
      db.close();
    }
    const root = await copy('node02');
    const result = await siWithBootMac(undefined, ['configure', '--root', root, '--host', 'node02', '--stages', STAGES]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(read(root, 'etc/network/interfaces')).toContain('auto mac/52:54:00:ab:cd:02/=nic0\niface nic0 inet static\n\taddress 10.40.0.22/24\n');
    expect((await run(['chroot', root, 'ifquery', 'nic0'])).stdout).toMatch(/^address: 10\.40\.0\.22$/m);
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostConfig } from '../../../src/core/configure/host-config.js';
import type { StageName } from '../../../src/core/configure/stages.js';
import { renderPlanAsShell } from '../../../src/core/configure/shell.js';
import { applyPlan } from '../../../src/infra/configure/apply-plan.js';
import { planForRoot } from '../../../src/infra/configure/plan-root.js';
import { run } from '../../../src/infra/run.js';
import { compareDigests, treeDigest, type Digest } from '../../world/digest.js';
import { bookwormTree } from './bookworm-tree.js';
import { copyTree, removeDir, runShellPlan, tempDir, treeDifferences } from './trees.js';

const STAGES: StageName[] = ['identity', 'hostname', 'network', 'fstab'];
const GOLDEN_ID = '0123456789abcdef0123456789abcdef\n';
const NO_DIFFERENCE = { onlyInA: [], onlyInB: [], differ: [] };

const host = (n: number): HostConfig => ({
  hostname: `node00${n}`,
  domain: 'cluster.test',
  interfaces: [
    { mac: `52:54:00:00:00:0${n}`, ip: `10.20.0.1${n}`, prefix: 24, gateway: '10.20.0.1', dns: ['10.20.0.1'] },
    { mac: `52:54:00:00:01:0${n}`, name: 'mgmt0', dhcp: true },
  ],
  filesystems: [
    { uuid: `0000000${n}-aaaa-4bbb-8ccc-dddddddddddd`, mountpoint: '/', fstype: 'ext4', options: 'errors=remount-ro', dump: 0, pass: 1 },
  ],
});

const KEYS = ['ssh_host_ed25519_key', 'ssh_host_ed25519_key.pub', 'ssh_host_rsa_key', 'ssh_host_ecdsa_key.pub'];
const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');

describe('a real debootstrapped bookworm tree', () => {
  let work: string;
  let golden: string;
  const roots: Record<string, string> = {};
  let node001Digest: Digest;

  beforeAll(async () => {
    work = tempDir('si-cfg-bookworm-');
    golden = join(work, 'golden');
    await bookwormTree(golden);
    // What a golden client carries besides the debootstrap defaults: an id and its own interface.
    writeFileSync(join(golden, 'etc/machine-id'), GOLDEN_ID);
    writeFileSync(join(golden, 'etc/hostname'), 'golden\n');
    writeFileSync(join(golden, 'etc/network/interfaces.d/ens3'), 'allow-hotplug ens3\niface ens3 inet dhcp\n');
    for (const n of [1, 2]) {
      const root = await copyTree(golden, join(work, `node00${n}`));
      await applyPlan({ root, plan: planForRoot({ root, host: host(n), stages: STAGES }) });
      roots[`node00${n}`] = root;
    }
    // The same plan for node001 through the shell applier, before any test runs ifquery in the trees.
    const shellRoot = await copyTree(golden, join(work, 'node001-sh'));
    await runShellPlan(renderPlanAsShell(planForRoot({ root: golden, host: host(1), stages: STAGES })), shellRoot);
    roots['node001-sh'] = shellRoot;
    node001Digest = await treeDigest(roots.node001!);
  }, 600_000);

  afterAll(() => {
    if (work) removeDir(work);
  });

  it('gives each host its own name and addresses', () => {
    for (const n of [1, 2]) {
      const root = roots[`node00${n}`]!;
      expect(read(root, 'etc/hostname')).toBe(`node00${n}\n`);
      expect(read(root, 'etc/hosts')).toContain(`10.20.0.1${n}\tnode00${n}.cluster.test node00${n}\n`);
      expect(read(root, 'etc/fstab')).toContain(`UUID=0000000${n}-aaaa-4bbb-8ccc-dddddddddddd\t/\text4`);
    }
  });

  it('writes network files that ifupdown parses, with the right address per host', async () => {
    for (const n of [1, 2]) {
      const root = roots[`node00${n}`]!;
      const list = await run(['chroot', root, 'ifquery', '--list']);
      expect(list.stdout.split('\n')).toContain('lo');
      const nic0 = await run(['chroot', root, 'ifquery', 'nic0']);
      expect(nic0.stdout).toContain(`address: 10.20.0.1${n}\n`);
      expect(nic0.stdout).toContain('gateway: 10.20.0.1\n');
      const mgmt = await run(['chroot', root, 'ifquery', 'mgmt0']);
      expect(mgmt.exitCode).toBe(0);
      expect(read(root, 'etc/network/interfaces')).toContain(`auto mac/52:54:00:00:00:0${n}/=nic0\n`);
      // The golden client's own interface file is gone.
      await expect(run(['chroot', root, 'ifquery', 'ens3'])).rejects.toThrow();
    }
  });

  it('gives each host a fresh machine id and fresh ssh host keys', async () => {
    const ids = [golden, roots.node001!, roots.node002!].map((root) => read(root, 'etc/machine-id'));
    for (const id of ids.slice(1)) expect(id).toMatch(/^[0-9a-f]{32}\n$/);
    expect(new Set(ids).size).toBe(3);
    for (const key of KEYS) {
      const versions = [golden, roots.node001!, roots.node002!].map((root) => read(root, `etc/ssh/${key}`));
      expect(new Set(versions).size, key).toBe(3);
    }
    // The new keys are real keys.
    const fingerprint = await run(['ssh-keygen', '-l', '-f', join(roots.node001!, 'etc/ssh/ssh_host_ed25519_key.pub')]);
    expect(fingerprint.stdout).toMatch(/ED25519/);
  });

  it('changes nothing when the same plan is applied again, or when it is planned again from the configured tree', async () => {
    const root = roots.node001!;
    const plan = planForRoot({ root: golden, host: host(1), stages: STAGES });
    const before = await treeDigest(root);
    const again = await applyPlan({ root, plan });
    expect(again.filter((change) => change.action !== 'command')).toEqual([]);
    expect(compareDigests(before, await treeDigest(root))).toEqual(NO_DIFFERENCE);

    const replanned = planForRoot({ root, host: host(1), stages: STAGES });
    expect(replanned.stages[0]?.identity).toEqual([]);
    await applyPlan({ root, plan: replanned });
    expect(compareDigests(before, await treeDigest(root))).toEqual(NO_DIFFERENCE);
  });

  it('leaves the same tree through the shell applier as through applyPlan', async () => {
    const root = roots['node001-sh']!;
    expect(await treeDifferences(node001Digest, root)).toEqual(NO_DIFFERENCE);
    expect(read(root, 'etc/machine-id')).not.toBe(read(roots.node001!, 'etc/machine-id'));
    // The shell applier records the identity exactly as applyPlan would for the same files.
    const replanned = planForRoot({ root, host: host(1), stages: ['identity'] });
    expect(replanned.stages[0]?.identity).toEqual([]);
  });
});

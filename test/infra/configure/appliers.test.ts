import { readFileSync, writeFileSync, existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planConfigure } from '../../../src/core/configure/build-plan.js';
import type { ConfigurePlan } from '../../../src/core/configure/plan.js';
import { BOOT_DISK_TOKEN, renderPlanAsShell } from '../../../src/core/configure/shell.js';
import { applyPlan } from '../../../src/infra/configure/apply-plan.js';
import { planForRoot } from '../../../src/infra/configure/plan-root.js';
import { run } from '../../../src/infra/run.js';
import { createRenderer } from '../../../src/infra/templates.js';
import { compareDigests, treeDigest } from '../../world/digest.js';
import { HOST_FOR } from '../../fixtures/roots/hosts.js';
import { materializeRoot } from '../../fixtures/roots/materialize.js';
import { memoryTree } from '../../fixtures/roots/memory-tree.js';
import { FIXTURE_ROOTS } from '../../fixtures/roots/trees.js';
import { copyTree, removeDir, runShellPlan, tempDir, treeDifferences } from './trees.js';

/** Fixture trees hold no programs: the chrooted commands are only planned (golden), not run here. */
const withoutCommands = (plan: ConfigurePlan): ConfigurePlan => ({
  ...plan,
  stages: plan.stages.map((stage) => ({ ...stage, commands: [] })),
});

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

describe.each(FIXTURE_ROOTS.map((root) => [root.name, root] as const))('fixture %s on disk', (name, root) => {
  const host = HOST_FOR[name]!;

  it('detects on disk exactly what it detects in memory', () => {
    const dir = tempDir('si-cfg-');
    dirs.push(dir);
    materializeRoot(root, join(dir, 'root'));
    const fromDisk = planForRoot({ root: join(dir, 'root'), host });
    expect(fromDisk).toEqual(planConfigure({ tree: memoryTree(root), host, renderer: createRenderer() }));
  });

  it('leaves the same tree through applyPlan and through the shell applier, and a second run changes nothing', async () => {
    const dir = tempDir('si-cfg-');
    dirs.push(dir);
    const golden = materializeRoot(root, join(dir, 'golden'));
    const plan = withoutCommands(planForRoot({ root: golden, host }));
    const viaTs = await copyTree(golden, join(dir, 'ts'));
    const viaShell = await copyTree(golden, join(dir, 'sh'));

    const first = await applyPlan({ root: viaTs, plan });
    expect(first.length).toBeGreaterThan(0);
    await runShellPlan(renderPlanAsShell(plan), viaShell);
    expect(await treeDifferences(viaTs, viaShell)).toEqual({ onlyInA: [], onlyInB: [], differ: [] });

    const before = await treeDigest(viaTs);
    expect(await applyPlan({ root: viaTs, plan })).toEqual([]);
    expect(compareDigests(before, await treeDigest(viaTs))).toEqual({ onlyInA: [], onlyInB: [], differ: [] });

    const shellBefore = await treeDigest(viaShell);
    await runShellPlan(renderPlanAsShell(plan), viaShell);
    const shellAfter = compareDigests(shellBefore, await treeDigest(viaShell), {
      ignore: (_path, field, entry) => field === 'mtime' && entry.type === 'dir',
    });
    expect(shellAfter).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
  });

  it('renders a shell applier that passes sh -n and shellcheck', async () => {
    const dir = tempDir('si-cfg-');
    dirs.push(dir);
    const script = join(dir, 'configure.sh');
    writeFileSync(script, renderPlanAsShell(planConfigure({ tree: memoryTree(root), host, renderer: createRenderer() })));
    await run(['sh', '-n', script]);
    await run(['shellcheck', '-s', 'sh', script]);
  });
});

describe('applyPlan', () => {
  it('runs chrooted commands with the root as the chroot, and only reports in a dry run', async () => {
    const dir = tempDir('si-cfg-');
    dirs.push(dir);
    const root = materializeRoot(FIXTURE_ROOTS[0]!, join(dir, 'root'));
    const plan = planForRoot({ root, host: HOST_FOR.debian12!, stages: ['identity', 'bootloader'] });
    const before = await treeDigest(root);
    const ran: string[][] = [];
    const dry = await applyPlan({ root, plan, dryRun: true, runCommand: async (argv) => ran.push(argv) });
    expect(ran).toEqual([]);
    expect(dry.filter((change) => change.action === 'command').map((change) => change.argv)).toEqual([
      ['ssh-keygen', '-A'],
      ['grub-install', '--target=i386-pc', '/dev/sda'],
      ['update-grub'],
    ]);
    expect(dry.map((change) => change.path)).toContain('/etc/machine-id');
    expect(compareDigests(before, await treeDigest(root))).toEqual({ onlyInA: [], onlyInB: [], differ: [] });

    await applyPlan({ root, plan, runCommand: async (argv) => ran.push(argv) });
    expect(ran).toEqual([
      ['chroot', root, 'ssh-keygen', '-A'],
      ['chroot', root, 'grub-install', '--target=i386-pc', '/dev/sda'],
      ['chroot', root, 'update-grub'],
    ]);
    expect(readFileSync(join(root, 'etc/machine-id'), 'utf8')).toMatch(/^[0-9a-f]{32}\n$/);
    expect(lstatSync(join(root, 'etc/machine-id')).mode & 0o777).toBe(0o444);
    expect(existsSync(join(root, 'etc/ssh/ssh_host_rsa_key'))).toBe(false);
    expect(existsSync(join(root, 'var/lib/systemd/random-seed'))).toBe(false);
  });

  it('refuses a root that is not a directory, writing nothing', async () => {
    const dir = tempDir('si-cfg-');
    dirs.push(dir);
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    const plan = planConfigure({ tree: memoryTree(FIXTURE_ROOTS[0]!), host: HOST_FOR.debian12!, renderer: createRenderer() });
    await expect(applyPlan({ root: file, plan })).rejects.toThrow(`root ${file} is not a directory`);
    expect(() => planForRoot({ root: join(dir, 'missing'), host: HOST_FOR.debian12! })).toThrow(/is not a directory/);
    expect(() => planForRoot({ root: dir, host: HOST_FOR.debian12! })).toThrow(/^no recognisable system in the root tree/);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('leaves the boot disk token to install time: substituted from bootDisk, expanded by the shell applier, refused without', async () => {
    const dir = tempDir('si-cfg-');
    dirs.push(dir);
    const root = materializeRoot(FIXTURE_ROOTS[0]!, join(dir, 'root'));
    const plan = planForRoot({ root, host: { ...HOST_FOR.debian12!, bootDisk: BOOT_DISK_TOKEN }, stages: ['bootloader'] });
    const ran: string[][] = [];
    await expect(applyPlan({ root, plan, runCommand: async (argv) => ran.push(argv) })).rejects.toThrow(/leaves the boot disk to install time/);
    expect(ran).toEqual([]);
    await applyPlan({ root, plan, bootDisk: '/dev/vdb', runCommand: async (argv) => ran.push(argv) });
    expect(ran[0]).toEqual(['chroot', root, 'grub-install', '--target=i386-pc', '/dev/vdb']);

    const script = renderPlanAsShell(plan, { run: false });
    expect(script).toContain(`chroot "$TARGET" 'grub-install' '--target=i386-pc' "$SI_BOOT_DISK" || return 1`);
    // The shell applier runs the same argv with the disk expanded (chroot replaced by a recorder).
    const log = join(dir, 'argv');
    const recorder = `chroot() { shift; printf '%s\\n' "$@" >> '${log}'; }\n`;
    await run(['sh', '-c', `${recorder}${script}\nsi_configure_bootloader`], { env: { TARGET: root, SI_BOOT_DISK: '/dev/vd b' } });
    expect(readFileSync(log, 'utf8').split('\n').slice(0, 3)).toEqual(['grub-install', '--target=i386-pc', '/dev/vd b']);
  });
});

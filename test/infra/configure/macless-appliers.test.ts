// A host without a MAC, applied for real: applyPlan with the boot MAC, the plan's shell with $SI_BOOT_MAC, and
// the host script, which refuses to start without a boot MAC before it touches anything.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOT_MAC_TOKEN } from '../../../src/core/configure/boot-mac.js';
import type { ConfigurePlan } from '../../../src/core/configure/plan.js';
import { renderPlanAsShell } from '../../../src/core/configure/shell.js';
import { homePaths, type HomePaths } from '../../../src/core/home.js';
import { makeAutoinstallScripts } from '../../../src/infra/autoinstall/make-autoinstall-scripts.js';
import { applyPlan } from '../../../src/infra/configure/apply-plan.js';
import { planForRoot } from '../../../src/infra/configure/plan-root.js';
import { capture, run } from '../../../src/infra/run.js';
import { createRenderer } from '../../../src/infra/templates.js';
import { HOST_FOR } from '../../fixtures/roots/hosts.js';
import { materializeRoot } from '../../fixtures/roots/materialize.js';
import { FIXTURE_ROOTS } from '../../fixtures/roots/trees.js';
import { client, GPT_LAYOUT } from '../autoinstall/fixtures.js';
import { copyTree, removeDir, tempDir, treeDifferences } from './trees.js';

const MAC = '52:54:00:0b:00:07';
const withoutCommands = (plan: ConfigurePlan): ConfigurePlan => ({ ...plan, stages: plan.stages.map((stage) => ({ ...stage, commands: [] })) });

describe('a host without a MAC', () => {
  let work: string;
  let paths: HomePaths;
  beforeAll(async () => {
    work = tempDir('si-macless-');
    paths = homePaths(join(work, 'home'));
    const image = materializeRoot(FIXTURE_ROOTS[0]!, join(work, 'image'));
    await makeAutoinstallScripts({ paths, image: 'gpt', imageTree: image, layout: GPT_LAYOUT, clients: [client(1, { macs: [], image: 'gpt' }), client(2, { image: 'gpt' })], renderer: createRenderer() });
  });
  afterAll(() => removeDir(work));

  it('applyPlan with the boot MAC and the shell with $SI_BOOT_MAC leave the same tree; without it both refuse and write nothing', async () => {
    const golden = materializeRoot(FIXTURE_ROOTS[0]!, join(work, 'golden'));
    const host = { ...HOST_FOR.debian12!, interfaces: [{ mac: BOOT_MAC_TOKEN, ip: '10.10.0.77', prefix: 24, gateway: '10.10.0.1' }] };
    const plan = withoutCommands(planForRoot({ root: golden, host }));
    const viaTs = await copyTree(golden, join(work, 'ts'));
    const viaShell = await copyTree(golden, join(work, 'sh'));

    await expect(applyPlan({ root: viaTs, plan })).rejects.toThrow(/^node001 has no MAC in the registry, so its network goes on the interface it boots from: give that interface's MAC/);
    const refused = await capture(['sh', '-c', renderPlanAsShell(plan), 'si-configure'], { env: { TARGET: viaShell, SI_BOOT_MAC: '' } });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/^si: no boot MAC \(SI_BOOT_MAC is ''\): this host has no MAC in the registry/m);
    expect(await treeDifferences(golden, viaTs)).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
    expect(readFileSync(join(viaShell, 'etc/network/interfaces'), 'utf8')).toBe(readFileSync(join(golden, 'etc/network/interfaces'), 'utf8'));

    await applyPlan({ root: viaTs, plan, bootMac: MAC });
    await run(['sh', '-c', renderPlanAsShell(plan), 'si-configure'], { env: { TARGET: viaShell, SI_BOOT_MAC: MAC } });
    expect(await treeDifferences(viaTs, viaShell)).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
    expect(readFileSync(join(viaTs, 'etc/network/interfaces'), 'utf8')).toContain(`auto mac/${MAC}/=nic0\niface nic0 inet static\n\taddress 10.10.0.77/24\n`);
  });

  describe('its host script', () => {
    const runHost = (host: string, env: Record<string, string>) => {
      const target = join(work, `target-${host}-${Object.keys(env).join('-')}`);
      mkdirSync(target, { recursive: true });
      const log = join(work, `log-${host}-${Object.keys(env).join('-')}`);
      const cmdline = join(work, 'cmdline');
      return capture(['sh', join(paths.scripts, `${host}.sh`)], { env: { SI_CMDLINE: cmdline, SI_TARGET: target, SI_LOG: log, SI_BREAK: 'detect', SI_SERVER: '10.0.0.1', SI_BOOT_MAC: undefined, ...env } }).then((r) => ({ ...r, log }));
    };

    it('refuses to start without a boot MAC, in one line, before the log or any disk', async () => {
      await run(['sh', '-c', `printf 'quiet\\n' > '${join(work, 'cmdline')}'`]);
      const result = await runHost('node001', {});
      expect(result.exitCode).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([
        "si: node001 has no MAC in the registry and SI_BOOT_MAC is '': nothing was touched; set SI_BOOT_MAC to the MAC of the interface it boots from (or BOOTIF=01-aa-bb-cc-dd-ee-ff on the kernel command line), or add its MAC with si client set node001 --macs MAC",
      ]);
      expect(existsSync(result.log)).toBe(false);
      const bad = await runHost('node001', { SI_BOOT_MAC: 'not-a-mac' });
      expect(bad.exitCode).toBe(2);
      expect(bad.stderr).toContain("SI_BOOT_MAC is 'not:a:mac'");
    });

    it('starts with SI_BOOT_MAC, or with BOOTIF= from the kernel command line; a host with a MAC needs neither', async () => {
      expect((await runHost('node001', { SI_BOOT_MAC: '52:54:00:0B:00:07' })).stdout).toMatch(/^si: installing node001 from image gpt/);
      await run(['sh', '-c', `printf 'quiet BOOTIF=01-52-54-00-0b-00-07\\n' > '${join(work, 'cmdline')}'`]);
      const viaBootif = await runHost('node001', {});
      expect(viaBootif.exitCode, viaBootif.stderr).toBe(0);
      expect(viaBootif.stdout).toMatch(/break before phase detect/);
      const withMac = await runHost('node002', {});
      expect(withMac.exitCode, withMac.stderr).toBe(0);
    });

    it('passes shellcheck, and only the MAC-less host carries the check', async () => {
      const script = join(paths.scripts, 'node001.sh');
      await run(['shellcheck', '-s', 'sh', '-S', 'warning', script]);
      expect(readFileSync(script, 'utf8')).toContain('"$SI_BOOT_MAC"');
      expect(readFileSync(join(paths.scripts, 'node002.sh'), 'utf8')).not.toContain('SI_BOOT_MAC');
    });
  });
});

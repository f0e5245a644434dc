import { describe, expect, it } from 'vitest';
import { planConfigure } from '../../../src/core/configure/build-plan.js';
import { CATALOG, REQUIRED_SLOTS } from '../../../src/core/configure/footprints/index.js';
import { checkHostConfig } from '../../../src/core/configure/host-config.js';
import { formatIdentityRecord, IDENTITY_RECORD } from '../../../src/core/configure/identity.js';
import { parseStages, STAGES } from '../../../src/core/configure/stages.js';
import { UserError } from '../../../src/core/errors.js';
import { createRenderer } from '../../../src/infra/templates.js';
import { node001 } from '../../fixtures/roots/hosts.js';
import { memoryTree } from '../../fixtures/roots/memory-tree.js';
import { bare, debian12, type FixtureRoot } from '../../fixtures/roots/trees.js';

const renderer = createRenderer();
const plan = (root: FixtureRoot, host = node001, stages?: (typeof STAGES)[number][]) =>
  planConfigure({ tree: memoryTree(root), host, renderer, stages });

describe('uncovered combinations', () => {
  it('warn with the stage and what was looked for, and write nothing', () => {
    const result = plan(bare);
    const network = result.stages.find((stage) => stage.stage === 'network');
    expect(network?.warnings).toEqual([
      'stage network: no footprint matches (no ifupdown, netplan, NetworkManager, systemd-networkd or ifcfg found); nothing written',
    ]);
    expect(network?.write).toEqual([]);
    const warnings = result.stages.flatMap((stage) => stage.warnings);
    expect(warnings).toContain('stage initrd: no footprint matches (no update-initramfs, dracut or mkinitcpio found); nothing written');
    expect(warnings).toContain('stage bootloader: no footprint matches (no GRUB, systemd-boot or extlinux found); nothing written');
    expect(warnings).toContain('stage identity: no footprint matches (no systemd or D-Bus found); nothing written');
    // Every stage with an empty required slot says so.
    for (const stage of result.stages) {
      if (stage.footprints.length === 0) expect(stage.warnings.length).toBeGreaterThan(0);
    }
  });

  it('warn when the host lacks what a footprint needs', () => {
    const host = { ...node001, bootDisk: undefined, timezone: 'Mars/Olympus_Mons' };
    const warnings = plan(debian12, host).stages.flatMap((stage) => stage.warnings);
    expect(warnings).toContain('stage bootloader: footprint grub-pc: the host has no boot disk (bootDisk); it does nothing');
    expect(warnings).toContain('stage locale: footprint localtime: /usr/share/zoneinfo/Mars/Olympus_Mons is missing from the tree; it does nothing');
  });
});

describe('stage selection', () => {
  it('plans only the selected stages, in run order', () => {
    expect(plan(debian12, node001, parseStages('network,hostname')).stages.map((stage) => stage.stage)).toEqual(['hostname', 'network']);
    expect(parseStages(undefined)).toEqual([...STAGES]);
    expect(parseStages(['all'])).toEqual([...STAGES]);
  });

  it('rejects an unknown stage name in one line', () => {
    expect(() => parseStages('network,bootlaoder')).toThrow(UserError);
    expect(() => parseStages('network,bootlaoder')).toThrow(/^unknown stage "bootlaoder": use one or more of identity, hostname/);
  });
});

describe('bad input', () => {
  it('refuses a tree without os-release', () => {
    expect(() => plan({ name: 'empty', files: { '/etc/hostname': 'x\n' } })).toThrow(
      'no recognisable system in the root tree: neither /etc/os-release nor /usr/lib/os-release exists',
    );
  });

  it('refuses bad host configurations with the field named', () => {
    expect(() => checkHostConfig({ ...node001, hostname: 'Bad Name' })).toThrow(/invalid host name/);
    expect(() => checkHostConfig({ ...node001, interfaces: [{ mac: 'zz' , dhcp: true }] })).toThrow(/^invalid host configuration: interfaces.0.mac/);
    expect(() => checkHostConfig({ ...node001, interfaces: [{ mac: '52:54:00:00:00:01' }] })).toThrow(/either dhcp: true or ip/);
    expect(() => checkHostConfig({ ...node001, stages: ['network', 'nope'] })).toThrow(/^invalid host configuration: stages.1/);
    expect(checkHostConfig({ ...node001, interfaces: [{ mac: '52-54-00-AA-BB-CC', dhcp: true }] }).interfaces[0]?.mac).toBe('52:54:00:aa:bb:cc');
  });
});

describe('identity across runs', () => {
  it('keeps the identity recorded for this host and replaces it for another', () => {
    const configured: FixtureRoot = {
      ...debian12,
      files: {
        ...debian12.files,
        '/etc/machine-id': 'fedcba9876543210fedcba9876543210\n',
        '/etc/ssh/ssh_host_rsa_key': 'node001 rsa private\n',
      },
    };
    const tree = memoryTree(configured);
    const digest = (path: string) => tree.sha256(path) ?? '';
    const record = formatIdentityRecord('node001', [
      { path: '/etc/machine-id', sha256: digest('/etc/machine-id') },
      { path: '/etc/ssh/ssh_host_rsa_key', sha256: digest('/etc/ssh/ssh_host_rsa_key') },
    ]);
    const withRecord = { ...configured, files: { ...configured.files, [IDENTITY_RECORD]: record } };
    const kept = plan(withRecord, node001, ['identity']).stages[0]?.identity.map((action) => action.path);
    expect(kept).not.toContain('/etc/machine-id');
    expect(kept).not.toContain('/etc/ssh/ssh_host_rsa_key');
    // Files the record does not cover are still the golden client's.
    expect(kept).toContain('/etc/ssh/ssh_host_ed25519_key');
    const other = plan(withRecord, { ...node001, hostname: 'node002' }, ['identity']).stages[0]?.identity.map((a) => a.path);
    expect(other).toContain('/etc/machine-id');
    expect(other).toContain('/etc/ssh/ssh_host_rsa_key');
  });
});

describe('the catalog', () => {
  it('has unique ids, known stages, and a footprint for every required slot', () => {
    const ids = CATALOG.map((fp) => fp.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const fp of CATALOG) expect(STAGES).toContain(fp.stage);
    for (const [stage, slots] of Object.entries(REQUIRED_SLOTS)) {
      for (const slot of slots) expect(CATALOG.some((fp) => fp.stage === stage && fp.slot === slot)).toBe(true);
    }
  });

  it('has a template for every file it writes', () => {
    for (const fp of CATALOG) {
      for (const file of fp.files ?? []) expect(() => renderer.render(file.template, {}), `${fp.id} ${file.template}`).toThrow(/not defined/);
    }
  });
});

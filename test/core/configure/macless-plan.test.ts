// A host without a MAC: its plan configures the interface it boots from, with the MAC left to install time.
import { describe, expect, it } from 'vitest';
import { BOOT_MAC_TOKEN, planUsesBootMac, withBootMac } from '../../../src/core/configure/boot-mac.js';
import { planConfigure } from '../../../src/core/configure/build-plan.js';
import { checkHostConfig, type HostConfig } from '../../../src/core/configure/host-config.js';
import { renderPlanAsShell } from '../../../src/core/configure/shell.js';
import { createRenderer } from '../../../src/infra/templates.js';
import { HOST_FOR } from '../../fixtures/roots/hosts.js';
import { memoryTree } from '../../fixtures/roots/memory-tree.js';
import { FIXTURE_ROOTS } from '../../fixtures/roots/trees.js';

const renderer = createRenderer();
const MAC = '52:54:00:0b:00:07';

/** The fixture's host with one interface: the boot MAC's token, or a real MAC, and a static address. */
function host(name: string, mac: string): HostConfig {
  const base = HOST_FOR[name]!;
  return { ...base, interfaces: [{ mac, ip: '10.10.0.77', prefix: 24, gateway: '10.10.0.1', dns: ['10.10.0.1'] }] };
}

const network = (plan: ReturnType<typeof planConfigure>) => plan.stages.find((s) => s.stage === 'network')!;
// NetworkManager profile UUIDs are derived from host and MAC: the only place the two plans may differ.
const maskUuids = (text: string) => text.replace(/uuid=[0-9a-f-]{36}/g, 'uuid=X');

describe.each(FIXTURE_ROOTS.map((root) => [root.name, root] as const))('fixture %s, host without a MAC', (name, root) => {
  const plan = planConfigure({ tree: memoryTree(root), host: host(name, BOOT_MAC_TOKEN), renderer, stages: ['network'] });

  it('configures one interface, matched by the boot MAC left as a token, with the static address', () => {
    const stage = network(plan);
    expect(stage.warnings).toEqual([]);
    expect(stage.footprints.length).toBeGreaterThan(0);
    expect(planUsesBootMac(plan)).toBe(true);
    const text = stage.write.map((w) => w.content).join('\n');
    expect(text).toContain(BOOT_MAC_TOKEN);
    expect(text).toMatch(/10\.10\.0\.77/);
  });

  it('is, with the MAC filled in, the plan of the same host defined with that MAC', () => {
    const filled = withBootMac(plan, MAC);
    const direct = planConfigure({ tree: memoryTree(root), host: host(name, MAC), renderer, stages: ['network'] });
    expect(planUsesBootMac(filled)).toBe(false);
    expect(maskUuids(JSON.stringify(filled, null, 1))).toBe(maskUuids(JSON.stringify(direct, null, 1)));
  });

  it('renders the token as "$SI_BOOT_MAC" behind a check that refuses a missing or malformed MAC', () => {
    const script = renderPlanAsShell(plan);
    expect(script).not.toContain(`'${BOOT_MAC_TOKEN}`);
    expect(script).toContain('"$SI_BOOT_MAC"');
    expect(script).toMatch(/si_configure_network\(\) \{\n\tcase \$\{SI_BOOT_MAC:-\} in\n/);
  });
});

describe('the boot MAC in the host configuration', () => {
  it('ifupdown names the interface by the boot MAC', () => {
    const root = FIXTURE_ROOTS.find((r) => r.name === 'debian12')!;
    const plan = planConfigure({ tree: memoryTree(root), host: host('debian12', BOOT_MAC_TOKEN), renderer, stages: ['network'] });
    const interfaces = network(plan).write.find((w) => w.path === '/etc/network/interfaces')!.content;
    expect(interfaces).toContain(`auto mac/${BOOT_MAC_TOKEN}/=nic0\niface nic0 inet static\n\taddress 10.10.0.77/24\n\tgateway 10.10.0.1\n`);
  });

  it('takes the token for one interface only, and refuses other words', () => {
    const two = { ...host('debian12', BOOT_MAC_TOKEN), interfaces: [{ mac: BOOT_MAC_TOKEN, dhcp: true }, { mac: BOOT_MAC_TOKEN, dhcp: true, name: 'x1' }] };
    expect(() => checkHostConfig(two)).toThrow(/only one interface can be the one it boots from/);
    expect(() => checkHostConfig({ ...host('debian12', '${SI_BOOT_DISK}') })).toThrow(/^invalid host configuration: interfaces\.0\.mac: a MAC address/);
    expect(checkHostConfig({ ...host('debian12', BOOT_MAC_TOKEN), interfaces: [{ mac: BOOT_MAC_TOKEN, dhcp: true }] }).interfaces[0]?.mac).toBe(BOOT_MAC_TOKEN);
  });

  it('withBootMac takes only a lower-case colon MAC', () => {
    const root = FIXTURE_ROOTS[0]!;
    const plan = planConfigure({ tree: memoryTree(root), host: host(root.name, BOOT_MAC_TOKEN), renderer, stages: ['network'] });
    expect(() => withBootMac(plan, '52-54-00-0B-00-07')).toThrow(/not a lower-case colon MAC/);
  });
});

import { describe, expect, it } from 'vitest';
import { expandHostRange } from '../../../src/core/clients/host-range.js';
import type { AddClientsRequest, ClientRecord } from '../../../src/core/clients/plan-add-clients.js';
import { planAddClients } from '../../../src/core/clients/plan-add-clients.js';

const base: AddClientsRequest = {
  hosts: ['node001', 'node002', 'node003'],
  ip: '10.0.0.11',
  netmask: '24',
  gateway: '10.0.0.1',
  domain: 'cluster.lan',
  dns: ['10.0.0.2'],
  image: 'debian12',
  group: 'compute',
  macs: new Map([['node002', ['52-54-00-00-00-02']]]),
};

/** What the registry holds after applying a plan: the records it inserted, plus what was there. */
function apply(existing: ClientRecord[], request: AddClientsRequest): ClientRecord[] {
  return [...existing, ...planAddClients({ request, existing }).inserts];
}

describe('planAddClients', () => {
  it('builds one record per host with consecutive addresses', () => {
    const plan = planAddClients({ request: base, existing: [] });
    expect(plan.conflicts).toEqual([]);
    expect(plan.unchanged).toEqual([]);
    expect(plan.inserts.map((r) => [r.hostname, r.ip])).toEqual([
      ['node001', '10.0.0.11'],
      ['node002', '10.0.0.12'],
      ['node003', '10.0.0.13'],
    ]);
    expect(plan.inserts[1]).toEqual({
      hostname: 'node002',
      domain: 'cluster.lan',
      ip: '10.0.0.12',
      netmask: '255.255.255.0',
      gateway: '10.0.0.1',
      dns: ['10.0.0.2'],
      macs: ['52:54:00:00:00:02'],
      image: 'debian12',
      groups: ['compute'],
      overrides: [],
      bootMode: 'install',
      installState: 'new',
    });
    expect(plan.inserts[0]?.macs).toEqual([]);
  });

  it('defaults to /24, no gateway, no domain, no DNS, no group', () => {
    const plan = planAddClients({ request: { hosts: ['a'], ip: '192.168.5.9', image: 'img' }, existing: [] });
    expect(plan.inserts[0]).toMatchObject({ netmask: '255.255.255.0', gateway: null, domain: null, dns: [], groups: [] });
  });

  it('changes nothing when the same request runs again', () => {
    const registry = apply([], base);
    const again = planAddClients({ request: base, existing: registry });
    expect(again.inserts).toEqual([]);
    expect(again.conflicts).toEqual([]);
    expect(again.unchanged.map((r) => r.hostname)).toEqual(['node001', 'node002', 'node003']);
  });

  it('stays unchanged after install state, boot mode, extra groups and learned MACs change', () => {
    const registry = apply([], { ...base, macs: undefined }).map((r) => ({
      ...r,
      installState: 'installed' as const,
      bootMode: 'local' as const,
      groups: [...r.groups, 'gpu'],
      macs: ['52:54:00:aa:00:01'],
    }));
    const again = planAddClients({ request: { ...base, macs: undefined }, existing: registry });
    expect(again.unchanged).toHaveLength(3);
    expect(again.conflicts).toEqual([]);
  });

  it('adds only the new hosts when a range grows', () => {
    const registry = apply([], base);
    const plan = planAddClients({ request: { ...base, hosts: expandHostRange('node[001-005]') }, existing: registry });
    expect(plan.unchanged).toHaveLength(3);
    expect(plan.inserts.map((r) => `${r.hostname}=${r.ip}`)).toEqual(['node004=10.0.0.14', 'node005=10.0.0.15']);
  });

  it('reports a host that exists with other settings, naming each difference', () => {
    const registry = apply([], base);
    const plan = planAddClients({ request: { ...base, image: 'rocky9', ip: '10.0.0.21' }, existing: registry });
    expect(plan.inserts).toEqual([]);
    expect(plan.conflicts[0]).toEqual({
      kind: 'host',
      host: 'node001',
      holder: 'node001',
      message:
        'node001 already exists with IP 10.0.0.11 (requested 10.0.0.21), image debian12 (requested rocky9); change it with si client set or remove it first',
    });
  });

  it('reports an IP held by another host, naming both', () => {
    const registry = apply([], { ...base, hosts: ['gpu001', 'gpu002'], ip: '10.0.0.12', macs: undefined });
    const plan = planAddClients({ request: base, existing: registry });
    expect(plan.conflicts.map((c) => c.message)).toEqual([
      'IP 10.0.0.12 for node002 is already held by gpu001',
      'IP 10.0.0.13 for node003 is already held by gpu002',
    ]);
    expect(plan.conflicts[0]).toMatchObject({ kind: 'ip', host: 'node002', holder: 'gpu001' });
    // Hosts without a conflict are still planned; the caller decides whether to apply a plan with conflicts.
    expect(plan.inserts.map((r) => r.hostname)).toEqual(['node001']);
  });

  it('reports a MAC held by another host, naming both', () => {
    const registry = apply([], {
      ...base,
      hosts: ['gpu002'],
      ip: '10.0.0.100',
      macs: new Map([['gpu002', ['52:54:00:00:00:02']]]),
    });
    const plan = planAddClients({ request: base, existing: registry });
    expect(plan.conflicts).toEqual([
      {
        kind: 'mac',
        host: 'node002',
        holder: 'gpu002',
        message: 'MAC 52:54:00:00:00:02 for node002 is already held by gpu002',
      },
    ]);
  });

  it('reports different MACs for an existing host when the request gives MACs', () => {
    const registry = apply([], base);
    const macs = new Map([['node002', ['52:54:00:00:00:09']]]);
    const plan = planAddClients({ request: { ...base, macs }, existing: registry });
    expect(plan.conflicts.map((c) => c.message)).toEqual([
      'node002 already exists with MACs 52:54:00:00:00:02 (requested 52:54:00:00:00:09); change it with si client set or remove it first',
    ]);
  });

  it('detects duplicates within the request', () => {
    const plan = planAddClients({
      request: {
        ...base,
        hosts: ['a', 'b', 'a'],
        macs: new Map([
          ['a', ['52:54:00:00:00:01']],
          ['b', ['52:54:00:00:00:01']],
        ]),
      },
      existing: [],
    });
    expect(plan.conflicts.map((c) => c.message)).toEqual([
      'MAC 52:54:00:00:00:01 is given for both a and b; fix the MAC list',
      'a is named more than once in the request; list each host once',
    ]);
    expect(plan.inserts.map((r) => r.hostname)).toEqual([]);
  });

  it('warns about MACs for hosts outside the range', () => {
    const plan = planAddClients({
      request: { ...base, macs: new Map([['node999', ['52:54:00:00:00:09']]]) },
      existing: [],
    });
    expect(plan.warnings).toEqual(['the MAC list names node999, which is not in the host range; ignored']);
  });

  it.each([
    [{ gateway: '10.0.1.1' }, 'gateway 10.0.1.1 is not a host address in 10.0.0.0/24'],
    [{ gateway: '10.0.0.255' }, 'gateway 10.0.0.255 is not a host address in 10.0.0.0/24'],
    [{ gateway: '10.0.0.12' }, 'the address run 10.0.0.11-10.0.0.13 includes the gateway 10.0.0.12 (for node002)'],
    [{ ip: '10.0.0.253' }, '3 addresses from 10.0.0.253 do not fit in 10.0.0.0/24: only 2 fit (last usable 10.0.0.254)'],
    [{ ip: '10.0.0.300' }, '"10.0.0.300" is not a valid IP address'],
    [{ netmask: '255.0.255.0' }, 'has a gap in its bits'],
    [{ domain: 'bad_domain' }, '"bad_domain" is not a DNS domain'],
    [{ dns: ['8.8.8'] }, '"8.8.8" is not a valid DNS server address'],
    [{ image: 'Bad Image' }, 'invalid image name'],
    [{ group: 'a/b' }, 'invalid group name'],
    [{ hosts: [] }, 'no hosts to add'],
    [{ macs: new Map([['node001', ['zz']]]) }, '"zz" is not a MAC address'],
  ])('refuses a bad request %j', (change, message) => {
    expect(() => planAddClients({ request: { ...base, ...change }, existing: [] })).toThrow(message);
  });

  // Speed is measured by bench/registry (npm run bench:registry), not here: a time bound fails on a busy machine.
  it('plans 10,000 hosts against 10,000 existing ones', () => {
    const existing = apply([], { hosts: expandHostRange('old[00001-10000]'), ip: '10.1.0.1', netmask: '16', image: 'a' });
    const hosts = expandHostRange('node[00001-10000]');
    const plan = planAddClients({ request: { hosts, ip: '10.2.0.1', netmask: '16', image: 'a' }, existing });
    expect(plan.inserts).toHaveLength(10_000);
    expect(plan.inserts.at(-1)?.ip).toBe('10.2.39.16');
    expect(plan.conflicts).toEqual([]);
  });
});

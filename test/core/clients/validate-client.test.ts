import { describe, expect, it } from 'vitest';
import type { ClientRecord } from '../../../src/core/clients/client-record.js';
import { known, record } from './fixtures.js';
import { checkClient, findHolderClashes } from '../../../src/core/clients/validate-client.js';
import { checkGroup } from '../../../src/core/clients/plan-groups.js';

describe('checkClient, the one client-record validator', () => {
  it('normalises what it accepts', () => {
    expect(checkClient(record('n1', { netmask: '/23', macs: ['52-54-00-00-00-AA'], dns: [' 10.0.0.2'], domain: 'Lab.Example.' }), known)).toEqual(
      record('n1', { netmask: '255.255.254.0', macs: ['52:54:00:00:00:aa'], dns: ['10.0.0.2'], domain: 'lab.example' }),
    );
  });

  it.each([
    [{ dns: ['1.2.3.4;touch X'] }, /^n1: "1.2.3.4;touch X" is not a valid DNS server address/],
    [{ ip: '10.0.0.0' }, /^n1: IP 10.0.0.0 is the network address of 10.0.0.0\/24/],
    [{ ip: '10.0.0.255' }, /^n1: IP 10.0.0.255 is the broadcast address of 10.0.0.0\/24/],
    [{ gateway: '10.0.1.1' }, /^n1: gateway 10.0.1.1 is not a host address in 10.0.0.0\/24/],
    [{ gateway: '10.0.0.10' }, /^n1: the gateway 10.0.0.10 is the host's own IP/],
    [{ groups: ['nosuchgroup'] }, /^n1: no group named nosuchgroup: create it with 'si group add nosuchgroup' first/],
    [{ groups: ['gpu', 'gpu'] }, /^n1: group gpu is listed twice/],
    [{ overrides: ['../x'] }, /^n1: invalid override name "\.\.\/x"/],
    [{ overrides: ['a', 'a'] }, /^n1: override a is listed twice/],
    [{ macs: ['52:54:00:00:00:01', '52-54-00-00-00-01'] }, /^n1: MAC 52:54:00:00:00:01 is listed twice/],
    [{ image: 'nosuch' }, /^n1: no image named nosuch/],
    [{ netmask: '/31' }, /^n1: netmask \/31 leaves no room/],
    [{ domain: 'bad_domain' }, /^n1: "bad_domain" is not a DNS domain/],
  ] as [Partial<ClientRecord>, RegExp][])('refuses %j, naming the host', (fields, message) => {
    expect(() => checkClient(record('n1', fields), known)).toThrow(message);
  });

  it('finds IP and MAC clashes of changed hosts, naming the holder', () => {
    const after = [record('a', { ip: '10.0.0.5', macs: ['52:54:00:00:00:01'] }), record('b', { ip: '10.0.0.5', macs: ['52:54:00:00:00:01'] })];
    expect(findHolderClashes(after, new Set(['b']))).toEqual([
      'IP 10.0.0.5 for b is already held by a',
      'MAC 52:54:00:00:00:01 for b is already held by a',
    ]);
    expect(findHolderClashes(after.slice(0, 1), new Set(['a']))).toEqual([]);
  });
});

describe('checkGroup, the one group validator', () => {
  it.each([
    [{ name: '', image: null, overrides: [] }, /^invalid group name \(empty\): use/],
    [{ name: 'g', image: 'nosuch', overrides: [] }, /no image named nosuch/],
    [{ name: 'g', image: null, overrides: ['../x'] }, /^invalid override name "\.\.\/x"/],
    [{ name: 'g', image: null, overrides: ['a', 'a'] }, /^group g: override a is listed twice/],
  ])('refuses %j', (group, message) => {
    expect(() => checkGroup(group, known.images)).toThrow(message);
  });
});

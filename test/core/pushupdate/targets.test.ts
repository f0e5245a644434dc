import { describe, expect, it } from 'vitest';
import type { ClientRecord } from '../../../src/core/clients/client-record.js';
import { chooseTargets, countOption } from '../../../src/core/pushupdate/targets.js';

const record = (hostname: string, groups: string[]): ClientRecord => ({
  hostname, domain: null, ip: '10.0.0.1', netmask: '255.255.255.0', gateway: null, dns: [], macs: [], image: 'a', groups, overrides: [], bootMode: 'local', installState: 'installed',
});
const all = [record('n1', ['rack1']), record('n2', ['rack1']), record('n3', [])];
const registry = { find: (h: string) => all.find((c) => c.hostname === h), all: () => all, groupExists: (g: string) => ['rack1', 'empty'].includes(g) };

describe('the clients of a run', () => {
  it('takes a range or a group, exactly one', () => {
    expect(chooseTargets({ hosts: ['n3', 'n1'] }, registry).map((c) => c.hostname)).toEqual(['n3', 'n1']);
    expect(chooseTargets({ group: 'rack1' }, registry).map((c) => c.hostname)).toEqual(['n1', 'n2']);
    expect(() => chooseTargets({}, registry)).toThrow('name the clients: --clients RANGE (e.g. node[001-040]) or --group NAME');
    expect(() => chooseTargets({ hosts: ['n1'], group: 'rack1' }, registry)).toThrow('give --clients or --group, not both');
    expect(() => chooseTargets({ hosts: ['n1', 'n9'] }, registry)).toThrow(/^no client named n9/);
    expect(() => chooseTargets({ group: 'nosuch' }, registry)).toThrow("no group named nosuch: see 'si group list'");
    expect(() => chooseTargets({ group: 'empty' }, registry)).toThrow(/^group empty has no clients/);
  });

  it('checks counts', () => {
    expect(countOption('parallel', undefined, 32, { min: 1, max: 9 })).toBe(32);
    expect(countOption('parallel', '4', 32, { min: 1, max: 9 })).toBe(4);
    expect(() => countOption('parallel', '0', 32, { min: 1, max: 9 })).toThrow('invalid --parallel "0": give a whole number from 1 to 9');
    expect(() => countOption('timeout', '1.5', 60, { min: 1, max: 9 })).toThrow(/^invalid --timeout/);
  });
});

// The pure planners behind si client set, si client import and si group: registry in, plan (or refusal) out.
import { describe, expect, it } from 'vitest';
import { parseClientChange, planClientSet } from '../../../src/core/clients/plan-client-set.js';
import { planImport } from '../../../src/core/clients/plan-import.js';
import { groupMembers, listGroupsWithMembers, planGroupRemove, planGroupSave } from '../../../src/core/clients/plan-groups.js';
import { selectClients } from '../../../src/core/clients/select-clients.js';
import { known, record } from './fixtures.js';

const all = [
  record('n1', { ip: '10.0.0.11', macs: ['52:54:00:00:00:01'], groups: ['gpu'] }),
  record('n2', { ip: '10.0.0.12' }),
  record('n3', { ip: '10.0.0.13', macs: ['52:54:00:00:00:03'] }),
];
const pick = (...names: string[]) => selectClients(names, (n) => all.find((c) => c.hostname === n));

describe('parseClientChange', () => {
  it('refuses a set with no option instead of saying "changed"', () => {
    expect(() => parseClientChange({})).toThrow(/^nothing to change: give at least one of --image/);
  });
  it('reads lists, clears with "", refuses a bad override name as an override name', () => {
    expect(parseClientChange({ dns: '10.0.0.2, 10.0.0.3', gateway: '', macs: '' })).toEqual({ dns: ['10.0.0.2', '10.0.0.3'], gateway: null, macs: [] });
    expect(() => parseClientChange({ overrides: '../x' })).toThrow(/^invalid override name "\.\.\/x"/);
    expect(() => parseClientChange({ boot: 'usb' })).toThrow(/^invalid --boot "usb": use install or local/);
  });
});

describe('planClientSet', () => {
  const plan = (names: string[], options: Parameters<typeof parseClientChange>[0]) =>
    planClientSet({ selected: pick(...names), change: parseClientChange(options), all, known });

  it('counts new addresses up from --ip in range order, as addclients does', () => {
    const result = plan(['n2', 'n3'], { ip: '10.0.0.100' });
    expect(result.changed.map((c) => [c.hostname, c.ip])).toEqual([['n2', '10.0.0.100'], ['n3', '10.0.0.101']]);
  });

  it('changes MACs of one host, and splits what changes from what is already so', () => {
    const result = plan(['n2', 'n1'], { macs: undefined, groups: 'gpu' });
    expect(result.changed.map((c) => c.hostname)).toEqual(['n2']);
    expect(result.unchanged.map((c) => c.hostname)).toEqual(['n1']);
    expect(plan(['n2'], { macs: '52-54-00-00-00-22' }).changed[0]?.macs).toEqual(['52:54:00:00:00:22']);
  });

  it.each([
    [['n2'], { ip: '10.0.0.13' }, /^IP 10.0.0.13 for n2 is already held by n3; nothing was changed$/],
    [['n2'], { macs: '52:54:00:00:00:01' }, /^MAC 52:54:00:00:00:01 for n2 is already held by n1/],
    [['n2', 'n3'], { macs: '52:54:00:00:00:09' }, /^--macs gives the MACs of one host, but the range names 2/],
    [['n2'], { ip: '10.0.0.255' }, /broadcast address/],
    [['n2'], { netmask: '/29' }, /^n2: gateway 10.0.0.1 is not a host address in 10.0.0.8\/29/],
    [['n2'], { dns: '1.2.3.4;touch X' }, /^n2: "1.2.3.4;touch X" is not a valid DNS server address/],
    [['n2'], { groups: 'nosuchgroup' }, /^n2: no group named nosuchgroup/],
    [['n2'], { groups: 'gpu,gpu' }, /^n2: group gpu is listed twice/],
  ] as const)('refuses %j %j', (names, options, message) => {
    expect(() => plan([...names], options)).toThrow(message);
  });
});

describe('planImport', () => {
  it('adds, changes and leaves unchanged; importing the registry itself changes nothing', () => {
    expect(planImport({ records: all, existing: all, known }).save).toEqual([]);
    const result = planImport({ records: [record('n2', { ip: '10.0.0.22' }), record('n9', { ip: '10.0.0.19' }), all[0]!], existing: all, known });
    expect([result.added, result.changed, result.unchanged]).toEqual([['n9'], ['n2'], ['n1']]);
  });
  it.each([
    [record('n9', { ip: '10.0.0.13' }), /^IP 10.0.0.13 for n9 is already held by n3; nothing was imported$/],
    [record('n9', { ip: '10.0.0.0' }), /^n9: IP 10.0.0.0 is the network address/],
    [record('n9', { ip: '10.0.0.19', gateway: '192.168.0.1' }), /^n9: gateway 192.168.0.1 is not a host address/],
    [record('n9', { ip: '10.0.0.19', groups: ['nosuchgroup'] }), /^n9: no group named nosuchgroup/],
  ])('refuses %j', (row, message) => {
    expect(() => planImport({ records: [row], existing: all, known })).toThrow(message);
  });
  it('lets hosts in the file swap addresses among themselves', () => {
    const swapped = [record('n2', { ip: '10.0.0.13' }), record('n3', { ip: '10.0.0.12' })];
    expect(planImport({ records: swapped, existing: all, known }).changed).toEqual(['n2', 'n3']);
  });
});

describe('group planners', () => {
  const groups = [{ name: 'gpu', image: null, overrides: ['cuda'] }];
  it('plans add and set, keeping what set does not name', () => {
    expect(planGroupSave({ mode: 'add', request: { name: 'io', image: 'rocky9' }, existing: undefined, images: known.images })).toEqual({ name: 'io', image: 'rocky9', overrides: [] });
    expect(planGroupSave({ mode: 'set', request: { name: 'gpu', image: 'debian12' }, existing: groups[0], images: known.images })).toEqual({ name: 'gpu', image: 'debian12', overrides: ['cuda'] });
  });
  it.each([
    ['add', { name: 'gpu' }, groups[0], /^group gpu exists already/],
    ['set', { name: 'io' }, undefined, /^no group named io: create it with 'si group add io'/],
    ['set', { name: 'gpu' }, groups[0], /^nothing to change for group gpu/],
    ['add', { name: '' }, undefined, /^invalid group name \(empty\): use 1-63/],
    ['add', { name: 'io', overrides: ['../x'] }, undefined, /^invalid override name "\.\.\/x"/],
    ['add', { name: 'io', overrides: ['a', 'a'] }, undefined, /^group io: override a is listed twice/],
    ['add', { name: 'io', image: 'nosuch' }, undefined, /^no image named nosuch/],
  ] as const)('refuses %s %j', (mode, request, existing, message) => {
    expect(() => planGroupSave({ mode, request, existing, images: known.images })).toThrow(message);
  });
  it('removes only an existing group without members; counts members', () => {
    expect(() => planGroupRemove({ name: 'gpu', existing: groups[0], clients: all })).toThrow(/^group gpu still has 1 members \(n1\.\.\.\)/);
    expect(() => planGroupRemove({ name: 'io', existing: undefined, clients: all })).toThrow(/^no group named io/);
    expect(planGroupRemove({ name: 'gpu', existing: groups[0], clients: all.slice(1) })).toBe('gpu');
    expect(groupMembers('gpu', all)).toEqual(['n1']);
    expect(listGroupsWithMembers(groups, all)).toEqual([{ ...groups[0], members: 1 }]);
  });
});

describe('selectClients', () => {
  it('refuses names that are not registered, counting them', () => {
    expect(() => pick('n1', 'x1', 'x2')).toThrow(/^no client named x1 \(and 1 more\)/);
  });
});

import { describe, expect, it } from 'vitest';
import { compressHostNames, expandHostRange } from '../../../src/core/clients/host-range.js';
import { UserError } from '../../../src/core/errors.js';

describe('expandHostRange', () => {
  it.each([
    ['node1', ['node1']],
    ['node[1-3]', ['node1', 'node2', 'node3']],
    ['node[001-003]', ['node001', 'node002', 'node003']],
    ['node[8-10]', ['node8', 'node9', 'node10']],
    ['node[08-10]', ['node08', 'node09', 'node10']],
    ['node[098-100]', ['node098', 'node099', 'node100']],
    ['node[1,3,5-7]', ['node1', 'node3', 'node5', 'node6', 'node7']],
    ['rack[1-2]n[01-02]', ['rack1n01', 'rack1n02', 'rack2n01', 'rack2n02']],
    ['[1-2]x', ['1x', '2x']],
    ['n[1-2].ib', ['n1.ib', 'n2.ib']],
    ['node001-node003', ['node001', 'node002', 'node003']],
    ['node9-node11', ['node9', 'node10', 'node11']],
    ['gpu-1-gpu-3', ['gpu-1', 'gpu-2', 'gpu-3']],
    ['gpu-node1', ['gpu-node1']],
    ['rack1-node1', ['rack1-node1']],
    ['head,node[1-2],gpu01-gpu02', ['head', 'node1', 'node2', 'gpu01', 'gpu02']],
    [' a , b ', ['a', 'b']],
    ['n[5-5]', ['n5']],
  ])('%s', (spec, expected) => {
    expect(expandHostRange(spec)).toEqual(expected);
  });

  it('expands node[001-100] to 100 names with padding kept', () => {
    const names = expandHostRange('node[001-100]');
    expect(names).toHaveLength(100);
    expect(names[0]).toBe('node001');
    expect(names[99]).toBe('node100');
  });

  it('expands rack[1-2]n[01-16] rack by rack', () => {
    const names = expandHostRange('rack[1-2]n[01-16]');
    expect(names).toHaveLength(32);
    expect(names.slice(15, 17)).toEqual(['rack1n16', 'rack2n01']);
  });

  it.each([
    ['node[5-1]', /5-1 is reversed; put the lower bound first \(1-5\)/],
    ['node5-node1', /5-1 is reversed/],
    ['', /empty host range/],
    ['a,,b', /empty item/],
    ['node[1-3', /'\[' without '\]'/],
    ['node1-3]', /'\]' without '\['/],
    ['node[[1-2]]', /nests brackets/],
    ['node[]', /"" is not a number or a range/],
    ['node[a-b]', /"a-b" is not a number/],
    ['node[1-2],node2', /names node2 more than once/],
    ['node[1-3,2]', /names node2 more than once/],
    ['n[1-1000]x[1-101]', /names 101000 hosts, more than 100000; split it/],
    ['Node1', /invalid host name "Node1"/],
    ['node_[1-2]!', /invalid host name "node_1!"/],
  ])('refuses %j', (spec, message) => {
    expect(() => expandHostRange(spec)).toThrow(UserError);
    expect(() => expandHostRange(spec)).toThrow(message);
  });

  it('names the spec in its errors', () => {
    expect(() => expandHostRange('node[9-2]')).toThrow('host range "node[9-2]"');
  });

  it('accepts exactly 100,000 hosts', () => {
    expect(expandHostRange('n[1-100000]')).toHaveLength(100_000);
  });
});

describe('compressHostNames', () => {
  it.each([
    [['node001', 'node002', 'node003', 'node007'], 'node[001-003,007]'],
    [['node1'], 'node1'],
    [['node1', 'node2'], 'node[1-2]'],
    [['node9', 'node10', 'node11'], 'node[9-11]'],
    [['node099', 'node100'], 'node[099-100]'],
    [['node3', 'node1', 'node2'], 'node[1-3]'],
    [['head', 'node1', 'node2', 'head'], 'head,node[1-2]'],
    [['node1', 'node01', 'node2', 'node02'], 'node[1-2,01-02]'],
    [['rack1n01', 'rack1n02', 'rack2n01'], 'rack1n[01-02],rack2n01'],
    [[], ''],
  ])('%j -> %s', (names, expected) => {
    expect(compressHostNames(names)).toBe(expected);
  });

  it.each(['node[001-100]', 'rack[1-4]n[01-16]', 'a,b,node[1-9,11,20-200]', 'x[0-12]', 'gpu-1-gpu-20'])(
    'round-trips %s',
    (spec) => {
      const names = expandHostRange(spec);
      expect(new Set(expandHostRange(compressHostNames(names)))).toEqual(new Set(names));
    },
  );
});

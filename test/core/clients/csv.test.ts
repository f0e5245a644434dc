import { describe, expect, it } from 'vitest';
import { formatCsvRow, parseCsv, parseMacCsv } from '../../../src/core/clients/csv.js';

describe('parseCsv', () => {
  it.each([
    ['a,b,c\n', [['a', 'b', 'c']]],
    ['a,b\r\nc,d', [['a', 'b'], ['c', 'd']]],
    ['a,,\n', [['a', '', '']]],
    ['"a,b",c\n', [['a,b', 'c']]],
    ['"say ""hi""",x\n', [['say "hi"', 'x']]],
    ['"two\nlines",x\ny,z\n', [['two\nlines', 'x'], ['y', 'z']]],
    ['\ufeffh1,h2\n', [['h1', 'h2']]],
    ['a\n\n\nb\n', [['a'], ['b']]],
    ['""\n', [['']]],
    ['a"b,c\n', [['a"b', 'c']]],
    ['a\rb,c\n', [['a\rb', 'c']]],
  ])('%j', (text, rows) => {
    expect(parseCsv(text).map((r) => r.fields)).toEqual(rows);
  });

  it('gives the line each record starts on', () => {
    expect(parseCsv('a\n"b\nc"\n\nd\n').map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it('skips comment lines only when asked', () => {
    expect(parseCsv('#x\na\n', { comments: true }).map((r) => r.fields)).toEqual([['a']]);
    expect(parseCsv('#x\na\n').map((r) => r.fields)).toEqual([['#x'], ['a']]);
  });

  it.each([
    ['a,"b\nc\n', 'in.csv:1: a quoted field is never closed'],
    ['x\n"a"b,c\n', 'in.csv:2: text after a closing quote'],
  ])('refuses %j', (text, message) => {
    expect(() => parseCsv(text, { source: 'in.csv' })).toThrow(message);
  });

  it('round-trips awkward fields through formatCsvRow', () => {
    const fields = ['plain', 'a,b', 'say "hi"', 'two\nlines', ' padded ', ''];
    expect(parseCsv(`${formatCsvRow(fields)}\n`)[0]?.fields).toEqual(fields);
    expect(formatCsvRow(['a', 'b c'])).toBe('a,b c');
  });
});

describe('parseMacCsv', () => {
  it('reads hosts with one or more MACs, a header, comments and blank lines', () => {
    const text = [
      '# rack 1',
      'hostname,mac',
      'node001,52:54:00:00:00:01',
      '',
      'node002, 52-54-00-00-00-02 ,525400000012',
      '  # indented comment',
      '"node003","5254.0000.0003",',
    ].join('\n');
    expect(parseMacCsv(text)).toEqual(
      new Map([
        ['node001', ['52:54:00:00:00:01']],
        ['node002', ['52:54:00:00:00:02', '52:54:00:00:00:12']],
        ['node003', ['52:54:00:00:00:03']],
      ]),
    );
  });

  it('works without a header', () => {
    expect([...parseMacCsv('n1,52:54:00:00:00:01\r\n').keys()]).toEqual(['n1']);
  });

  it.each([
    ['n1,52:54:00:00:00:01\nn2,zz\n', 'macs.csv:2: field 2 is not a network card'],
    ['n1\n', 'macs.csv:1: no MAC address after n1; write n1,aa:bb:cc:dd:ee:ff'],
    ['Node1,52:54:00:00:00:01\n', 'macs.csv:1: the first field is not a host name'],
    ['n1,52:54:00:00:00:01\n\nn1,52:54:00:00:00:02\n', 'macs.csv:3: n1 is already listed on line 1; put all its MACs on one line'],
    [
      'n1,52:54:00:00:00:01\nn2,52-54-00-00-00-01\n',
      'macs.csv:2: MAC 52:54:00:00:00:01 for n2 is already given for n1 on line 1',
    ],
    ['hostname,mac\nhostname,mac\n', 'macs.csv:2: field 2 is not a network card'],
  ])('refuses %j', (text, message) => {
    expect(() => parseMacCsv(text, { source: 'macs.csv' })).toThrow(message);
  });
});

describe('parseMacCsv on a file that is no MAC list', () => {
  it.each([
    'root:$y$j9T$SECRETHASH:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n',
    'node1,$y$j9T$SECRETHASH\n',
    'hostname,mac\nnode1,52:54:00:00:00:01,SECRETHASH\n',
  ])('names the file and line, never its content: %j', (text) => {
    let message = '';
    try {
      parseMacCsv(text, { source: '/etc/shadow' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^\/etc\/shadow:\d+: /);
    expect(message).not.toMatch(/SECRETHASH|root:|daemon/);
  });
});

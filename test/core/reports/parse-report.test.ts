import { describe, expect, it } from 'vitest';
import { homePaths } from '../../../src/core/home.js';
import { MAX_REPORT_BYTES, parseReport, parseReportName, reportPaths } from '../../../src/core/reports/index.js';

const good = { host: 'node001', event: '1764500000-812-2', state: 'failed', phase: 'copy', mac: '52:54:00:AA:00:01', message: 'rsync: connection reset\nrsync error: code 12' };
const parse = (name: string, value: unknown) => parseReport(name, typeof value === 'string' ? value : JSON.stringify(value));

describe('parseReport', () => {
  it('accepts a report whose JSON names the host and event of its file name; a MAC is lower-cased', () => {
    expect(parse('node001.1764500000-812-2.json', good)).toEqual({ ok: true, report: { ...good, mac: '52:54:00:aa:00:01' } });
    // Host names may hold dots; the event is what follows the last one.
    const dotted = { ...good, host: 'rack1.n01', mac: '', message: undefined, extra: 'ignored' };
    expect(parse('rack1.n01.1764500000-812-2.json', dotted)).toEqual({ ok: true, report: { ...good, host: 'rack1.n01', mac: null, message: '' } });
    expect(parse('node001.1-1-1.json', { host: 'node001', event: '1-1-1', state: 'installing', phase: 'pre-install' })).toMatchObject({ ok: true, report: { mac: null, message: '' } });
  });

  it('refuses a report whose JSON disagrees with its file name', () => {
    expect(parse('node001.1764500000-812-2.json', { ...good, host: 'node002' })).toEqual({ ok: false, reason: "the report's host does not match the file name's (node001)" });
    expect(parse('node001.1764500000-812-2.json', { ...good, event: '9' })).toEqual({ ok: false, reason: "the report's event does not match the file name's (1764500000-812-2)" });
  });

  it('refuses bad file names: no host, an invalid host, no event, not .json', () => {
    for (const name of ['x.json', '.1-1.json', 'Node001.1.json', '..1.json', 'node001.json', 'node001.1.JSON', 'node001.a.b/c.json', 'node001.1.json.tmp', '-a.1.json']) {
      expect(parse(name, good), name).toMatchObject({ ok: false, reason: expect.stringContaining('HOST.EVENT.json') });
    }
    expect(parseReportName('node001.1764500000-812-2.json')).toEqual({ host: 'node001', event: '1764500000-812-2' });
    expect(parseReportName(`${'a'.repeat(64)}.1.json`)).toBeNull();
  });

  it('refuses garbage, a state that is not reported, odd phases and MACs, and long messages, without quoting them', () => {
    const name = 'node001.1764500000-812-2.json';
    expect(parse(name, '{"host": "node001", ')).toEqual({ ok: false, reason: 'not JSON' });
    expect(parse(name, '\u0000\u0001binary')).toEqual({ ok: false, reason: 'not JSON' });
    expect(parse(name, '[1,2]')).toMatchObject({ ok: false, reason: expect.stringMatching(/^invalid report: the document:/) });
    expect(parse(name, { ...good, state: 'new' })).toMatchObject({ ok: false, reason: expect.stringMatching(/^invalid report: state:/) });
    expect(parse(name, { ...good, phase: 'copy; rm -rf /' })).toMatchObject({ ok: false, reason: expect.stringMatching(/^invalid report: phase:/) });
    expect(parse(name, { ...good, mac: 'not-a-mac' })).toMatchObject({ ok: false, reason: expect.stringMatching(/^invalid report: mac:/) });
    expect(parse(name, { ...good, message: 'x'.repeat(8001) })).toMatchObject({ ok: false, reason: expect.stringMatching(/^invalid report: message:/) });
    const { host: _, ...noHost } = good;
    expect(parse(name, noHost)).toMatchObject({ ok: false, reason: expect.stringMatching(/^invalid report: host:/) });
    for (const result of [parse(name, { ...good, phase: 'SECRET-LINE' }), parse(name, 'SECRET-LINE')]) {
      expect(JSON.stringify(result)).not.toContain('SECRET-LINE');
    }
  });

  it(`refuses a text over ${MAX_REPORT_BYTES} bytes before parsing it`, () => {
    const big = JSON.stringify({ ...good, padding: 'x'.repeat(MAX_REPORT_BYTES) });
    expect(parseReport('node001.1764500000-812-2.json', big)).toEqual({ ok: false, reason: `larger than ${MAX_REPORT_BYTES} bytes` });
  });

  it('keeps reports under SI_HOME/reports', () => {
    expect(reportPaths(homePaths('/var/lib/sisuite'))).toEqual({
      dir: '/var/lib/sisuite/reports',
      incoming: '/var/lib/sisuite/reports/incoming',
      rejected: '/var/lib/sisuite/reports/rejected',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { parseEventBody } from '../../../src/core/monitor/index.js';
import { MAX_REPORT_BYTES } from '../../../src/core/reports/index.js';

const parse = (value: unknown) => parseEventBody(typeof value === 'string' ? value : JSON.stringify(value));
const copy = { host: 'node001', mac: '52:54:00:AA:00:01', phase: 'copy', state: 'installing', percent: 42, bytes: 123456789, rate: 10485760.4, message: 'sending incremental file list' };

describe('parseEventBody', () => {
  it('accepts a progress event: MAC lower-cased, bytes and rate whole numbers, no event id', () => {
    expect(parse(copy)).toEqual({
      ok: true,
      report: { host: 'node001', event: null, mac: '52:54:00:aa:00:01', phase: 'copy', state: 'installing', percent: 42, bytes: 123456789, rate: 10485760, message: 'sending incremental file list' },
    });
  });

  it('accepts the least an installer sends, and numbers a shell quoted', () => {
    expect(parse({ host: 'rack1.n01', phase: 'partition', state: 'installing' })).toEqual({
      ok: true,
      report: { host: 'rack1.n01', event: null, mac: null, phase: 'partition', state: 'installing', percent: null, bytes: null, rate: null, message: '' },
    });
    expect(parse({ ...copy, event: '1764500000-812-2', percent: '99.5', bytes: '1024', rate: null })).toMatchObject({
      ok: true,
      report: { event: '1764500000-812-2', percent: 99.5, bytes: 1024, rate: null },
    });
  });

  it('accepts an event without a host name when it names the MAC the installer booted from', () => {
    expect(parse({ host: '', mac: '52:54:00:AA:00:01', phase: 'fetch', state: 'installing' })).toMatchObject({ ok: true, report: { host: '', mac: '52:54:00:aa:00:01' } });
    expect(parse({ host: '', phase: 'fetch', state: 'installing' })).toMatchObject({ ok: false, status: 400, reason: expect.stringMatching(/host/) });
    expect(parse({ host: '', mac: '', phase: 'fetch', state: 'failed' })).toMatchObject({ ok: false, status: 400 });
  });

  it('refuses bad bodies with a 400 naming the field, never quoting the body', () => {
    const refused = (value: unknown, field: RegExp) => {
      const result = parse(value);
      expect(result, JSON.stringify(value)).toMatchObject({ ok: false, status: 400, reason: expect.stringMatching(field) });
      if (!result.ok) expect(result.reason).not.toContain('rm -rf');
    };
    expect(parse('{"host": "node001", ')).toEqual({ ok: false, status: 400, reason: 'not JSON: send one JSON object' });
    refused('[1,2]', /^invalid event: the document:/);
    refused({ ...copy, state: 'new' }, /^invalid event: state:/);
    refused({ ...copy, state: 'waiting' }, /^invalid event: state:/);
    refused({ ...copy, phase: 'copy; rm -rf /' }, /^invalid event: phase:/);
    refused({ ...copy, percent: 101 }, /^invalid event: percent:/);
    refused({ ...copy, percent: -1 }, /^invalid event: percent:/);
    refused({ ...copy, percent: '42%' }, /^invalid event: percent:/);
    refused({ ...copy, bytes: -5 }, /^invalid event: bytes:/);
    refused({ ...copy, rate: 'fast' }, /^invalid event: rate:/);
    refused({ ...copy, mac: 'rm -rf' }, /^invalid event: mac:/);
    refused({ ...copy, event: '../rm -rf' }, /^invalid event: event:/);
    refused({ ...copy, host: 'Node001; rm -rf' }, /^invalid event: host: not a valid host name$/);
    refused({ ...copy, host: 7 }, /^invalid event: host:/);
    refused({ ...copy, message: 'x'.repeat(8001) }, /^invalid event: message:/);
  });

  it('refuses a body past the report size unread (413)', () => {
    expect(parse({ ...copy, message: 'x'.repeat(MAX_REPORT_BYTES) })).toEqual({ ok: false, status: 413, reason: `larger than ${MAX_REPORT_BYTES} bytes` });
  });
});

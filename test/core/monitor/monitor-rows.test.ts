import { describe, expect, it } from 'vitest';
import { buildMonitorRows, countStates, lastInstall, lastRun, type InstallRun, type MonitorClient } from '../../../src/core/monitor/index.js';
import type { InstallEvent } from '../../../src/core/reports/index.js';

const T = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, seconds)).toISOString();
const event = (state: InstallEvent['state'], phase: string, at: number, more: Partial<InstallEvent> = {}): InstallEvent => ({
  host: 'node001',
  event: null,
  mac: '52:54:00:00:00:01',
  state,
  phase,
  message: '',
  at: T(at),
  updatedAt: T(at),
  percent: null,
  bytes: null,
  rate: null,
  ...more,
});

describe('lastRun', () => {
  it('is the events after the previous result: a reinstall starts a new run', () => {
    const events = [
      event('installing', 'partition', 0),
      event('installed', 'report', 100),
      event('installing', 'partition', 200),
      event('installing', 'copy', 210, { percent: 42, bytes: 4200, rate: 100, updatedAt: T(250), message: 'copying' }),
    ];
    expect(lastRun(events)).toEqual({
      state: 'installing',
      phase: 'copy',
      message: 'copying',
      mac: '52:54:00:00:00:01',
      startedAt: T(200),
      endedAt: null,
      updatedAt: T(250),
      percent: 42,
      bytes: 4200,
      rate: 100,
    });
    expect(lastRun([])).toBeNull();
  });

  it('keeps the copy progress through the later phases; installed is 100 %; a failure ends the run at its phase', () => {
    const copy = event('installing', 'copy', 10, { percent: 100, bytes: 9000, rate: 300, updatedAt: T(40) });
    const done = lastRun([event('installing', 'partition', 0), copy, event('installing', 'configure', 41), event('installed', 'report', 60)]) as InstallRun;
    expect([done.state, done.percent, done.bytes, done.startedAt, done.endedAt]).toEqual(['installed', 100, 9000, T(0), T(60)]);
    const failed = lastRun([event('installing', 'partition', 0), { ...copy, percent: 37 }, event('failed', 'copy', 50, { message: 'rsync: connection reset\nrsync error: code 12' })]);
    expect(failed).toMatchObject({ state: 'failed', phase: 'copy', percent: 37, endedAt: T(50), message: 'rsync: connection reset\nrsync error: code 12' });
    // A failure before anything was written (detect) is a run of one event.
    expect(lastRun([event('failed', 'copy', 0), event('failed', 'detect', 90)])).toMatchObject({ startedAt: T(90), endedAt: T(90), percent: null });
  });

  it('lastInstall says when, how long and the result; a running one counts to now', () => {
    const events = [event('installing', 'partition', 0), event('installed', 'report', 123)];
    expect(lastInstall(events, new Date(T(500)))).toEqual({ state: 'installed', at: T(123), phase: 'report', message: '', startedAt: T(0), endedAt: T(123), seconds: 123, percent: 100 });
    expect(lastInstall(events.slice(0, 1), new Date(T(30)))).toMatchObject({ state: 'installing', endedAt: null, seconds: 30 });
    expect(lastInstall([], new Date())).toBeNull();
  });
});

describe('buildMonitorRows', () => {
  const client = (hostname: string, bootMode: MonitorClient['bootMode'], installState: MonitorClient['installState'], macs: string[] = []): MonitorClient => ({ hostname, macs, bootMode, installState });
  const running = lastRun([event('installing', 'copy', 0, { percent: 42, bytes: 42, rate: 7, updatedAt: T(5) })]);
  const failed = lastRun([event('installing', 'copy', 0), event('failed', 'copy', 9, { message: 'tail 1\ntail 2' })]);
  const done = lastRun([event('installing', 'copy', 0), event('installed', 'report', 9)]);

  it('lists armed hosts and hosts with recent events; states from the registry; waiting has no details', () => {
    const clients = [
      client('armed-new', 'install', 'new', ['52:54:00:00:00:0a']),
      client('copying', 'install', 'installing'),
      client('broken', 'install', 'failed'),
      client('done', 'local', 'installed'),
      client('done-long-ago', 'local', 'installed'),
      client('rearmed', 'install', 'installed'),
      client('idle', 'local', 'new'),
    ];
    const runs = new Map([
      ['copying', running],
      ['broken', failed],
      ['done', done],
      ['rearmed', done],
    ]);
    const rows = buildMonitorRows(clients, runs, new Set(['copying', 'broken', 'done', 'idle']));
    expect(rows.map((r) => [r.host, r.state, r.phase, r.percent])).toEqual([
      ['armed-new', 'waiting', null, null],
      ['copying', 'installing', 'copy', 42],
      ['broken', 'failed', 'copy', null],
      ['done', 'installed', 'report', 100],
      ['rearmed', 'waiting', null, null],
    ]);
    expect(rows[0]).toEqual({ host: 'armed-new', mac: '52:54:00:00:00:0a', state: 'waiting', phase: null, percent: null, bytes: null, rate: null, startedAt: null, updatedAt: null, message: null });
    expect(rows[1]).toMatchObject({ mac: '52:54:00:00:00:01', startedAt: T(0), updatedAt: T(5), rate: 7 });
    expect(rows[2]).toMatchObject({ message: 'tail 1\ntail 2' });
    expect(countStates(rows)).toEqual({ waiting: 2, installing: 1, installed: 1, failed: 1 });
  });

  it('shows an armed failed host as failed until its next install starts', () => {
    expect(buildMonitorRows([client('n1', 'install', 'failed')], new Map([['n1', failed]]), new Set())).toMatchObject([{ state: 'failed', phase: 'copy' }]);
  });
});

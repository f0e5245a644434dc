import { describe, expect, it } from 'vitest';
import type { MonitorRow } from '../../src/core/monitor/index.js';
import { changeKey, elapsedText, frameLines, plainLine, progressBar, tableLines } from '../../src/cli/commands/monitor-view.js';

const now = new Date('2026-01-01T12:10:00.000Z');
const row = (host: string, state: MonitorRow['state'], more: Partial<MonitorRow> = {}): MonitorRow => ({
  host,
  mac: null,
  state,
  phase: null,
  percent: null,
  bytes: null,
  rate: null,
  startedAt: null,
  updatedAt: null,
  message: null,
  ...more,
});
const copying = row('node001', 'installing', { phase: 'copy', percent: 42, rate: 12_582_912, startedAt: '2026-01-01T12:08:00.000Z', updatedAt: '2026-01-01T12:09:59.000Z', message: 'a\ncopied 42 %' });
const failed = row('node002', 'failed', { phase: 'copy', startedAt: '2026-01-01T12:00:00.000Z', updatedAt: '2026-01-01T12:00:40.000Z', message: 'rsync: reset\nrsync error: code 12\n' });

describe('the monitor view', () => {
  it('draws the copy as a bar; elapsed runs to now while installing, to the result once ended', () => {
    expect(progressBar(42)).toBe('[########------------]  42%');
    expect(progressBar(100)).toBe('[####################] 100%');
    expect(progressBar(null)).toBe('');
    expect(elapsedText(copying, now)).toBe('2 min 0 s');
    expect(elapsedText(failed, now)).toBe('40.0 s');
  });

  it('tables the hosts with a summary, the last log line, and each failure with its phase and log tail', () => {
    const lines = tableLines([copying, failed, row('node003', 'waiting')], now);
    expect(lines[0]).toBe(`1 installing, 1 failed, 1 waiting, 0 installed  (${now.toTimeString().slice(0, 8)})`);
    expect(lines[1]).toMatch(/^HOST +MAC +STATE +PHASE +PROGRESS +RATE +ELAPSED +LAST LINE$/);
    expect(lines[2]).toMatch(/^node001 +- +installing +copy +\[########-+\] +42% +12\.0 MiB\/s +2 min 0 s +copied 42 %$/);
    expect(lines[3]).toMatch(/^node002 .*failed +copy .*rsync error: code 12$/);
    expect(lines.slice(5)).toEqual(['', 'node002 failed in phase copy:', '  rsync: reset', '  rsync error: code 12']);
    const silent = { ...copying, updatedAt: '2026-01-01T12:01:00.000Z' };
    expect(tableLines([silent], now)[2]).toMatch(/\(no event for 9 min 0 s\) copied 42 %$/);
  });

  it('fits a terminal: lines cut to its width, waiting hosts last and counted when they do not fit', () => {
    const waiting = Array.from({ length: 50 }, (_, i) => row(`node${String(i + 10).padStart(3, '0')}`, 'waiting'));
    const lines = frameLines([...waiting, copying], now, { width: 40, height: 12, notes: ['warning: something'] });
    expect(lines.length).toBeLessThanOrEqual(11);
    expect(lines.every((l) => [...l].length <= 39)).toBe(true);
    expect(lines[2]).toMatch(/^node001 /);
    expect(lines[0]).toBe('1 installing, 0 failed, 50 waiting, 0 …');
    expect(lines).toContain('... and 44 more (si monitor --json --o…');
    expect(lines.at(-1)).toBe('warning: something');
  });

  it('writes a log line per change of state, phase or tenth of the copy', () => {
    expect(plainLine(copying, now)).toBe('2026-01-01T12:10:00.000Z node001 installing copy 42% 12.0 MiB/s 2 min 0 s: copied 42 %');
    expect(changeKey({ ...copying, percent: 47 })).toBe(changeKey(copying));
    expect(changeKey({ ...copying, percent: 50 })).not.toBe(changeKey(copying));
    expect(changeKey({ ...copying, phase: 'configure' })).not.toBe(changeKey(copying));
  });
});

import { describe, expect, it } from 'vitest';
import { installProgress, type PhaseEvent } from '../../../src/core/imagetest/install-stages.js';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds)).toISOString();
const event = (phase: string, seconds: number, state: PhaseEvent['state'] = 'installing', message = ''): PhaseEvent => ({ phase, state, at: at(seconds), message });

describe('install stages from the reported events', () => {
  it('times each phase from its first event to the next phase, until installed', () => {
    const progress = installProgress([event('fetch', 0), event('partition', 2), event('copy', 5), event('copy', 30), event('bootloader', 50), event('report', 58, 'installed')]);
    expect(progress.state).toBe('installed');
    expect(progress.endedAt).toBe(Date.parse(at(58)));
    expect(progress.stages).toEqual([
      { name: 'install:fetch', seconds: 2, ok: true },
      { name: 'install:partition', seconds: 3, ok: true },
      { name: 'install:copy', seconds: 45, ok: true },
      { name: 'install:bootloader', seconds: 8, ok: true },
    ]);
  });

  it('shows only finished phases while it runs', () => {
    const progress = installProgress([event('fetch', 0), event('partition', 2)]);
    expect(progress).toMatchObject({ state: 'running', failure: null, endedAt: null });
    expect(progress.stages.map((s) => s.name)).toEqual(['install:fetch']);
  });

  it('names the failed phase with the installer message', () => {
    const progress = installProgress([event('fetch', 0), event('bootloader', 4), event('bootloader', 9, 'failed', 'grub-install: error: cannot find a device\nmore')]);
    expect(progress.state).toBe('failed');
    expect(progress.failure).toEqual({ phase: 'bootloader', message: 'grub-install: error: cannot find a device\nmore' });
    expect(progress.stages.at(-1)).toEqual({ name: 'install:bootloader', seconds: 5, ok: false });
  });

  it('a failure of a phase that never reported its start still names it', () => {
    const progress = installProgress([event('fetch', 0, 'failed', 'cannot fetch')]);
    expect(progress.stages).toEqual([{ name: 'install:fetch', seconds: 0, ok: false }]);
  });
});

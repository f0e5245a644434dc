// The install's stages from the events the installer reported to the boot server (docs/monitor.md): one stage
// per phase, timed from its first event to the next phase's.
import type { StageResult } from './report.js';

export interface PhaseEvent {
  phase: string;
  state: 'installing' | 'installed' | 'failed';
  /** When the server received it (ISO 8601). */
  at: string;
  message: string;
}

export interface InstallProgress {
  /** Finished phases (and, after a failure, the failed one). */
  stages: StageResult[];
  state: 'running' | 'installed' | 'failed';
  /** The phase that failed, with the installer's message (its log tail). */
  failure: { phase: string; message: string } | null;
  /** When the install was reported done or failed (ms since the epoch). */
  endedAt: number | null;
}

/** Folds the host's events, oldest first, into stages; `install:<phase>`. */
export function installProgress(events: readonly PhaseEvent[]): InstallProgress {
  const starts: { phase: string; at: number }[] = [];
  let end: PhaseEvent | undefined;
  for (const event of events) {
    if (event.state === 'installed' || event.state === 'failed') {
      end = event;
      break;
    }
    if (starts.at(-1)?.phase !== event.phase) starts.push({ phase: event.phase, at: Date.parse(event.at) });
  }
  const endedAt = end ? Date.parse(end.at) : null;
  const stages: StageResult[] = [];
  starts.forEach((start, index) => {
    const next = starts[index + 1]?.at ?? endedAt;
    if (next === null || next === undefined) return;
    const failedHere = end?.state === 'failed' && index === starts.length - 1;
    stages.push({ name: `install:${start.phase}`, seconds: Math.max(0, (next - start.at) / 1000), ok: !failedHere });
  });
  if (end?.state === 'failed' && !starts.some((s) => s.phase === end.phase)) {
    // A phase that failed before any start event of its own (the init's own phases).
    stages.push({ name: `install:${end.phase}`, seconds: 0, ok: false });
  }
  if (!end) return { stages, state: 'running', failure: null, endedAt: null };
  if (end.state === 'installed') return { stages, state: 'installed', failure: null, endedAt };
  return { stages, state: 'failed', failure: { phase: end.phase, message: end.message }, endedAt };
}

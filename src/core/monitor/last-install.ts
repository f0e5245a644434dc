import type { InstallEvent } from '../reports/index.js';
import { lastRun, runSeconds } from './install-runs.js';

/** `si client show`'s lastInstall: when, how long, and the result of the host's newest install. */
export interface LastInstall {
  state: InstallEvent['state'];
  /** The newest event's time (as before the monitor: the result's time once it ended). */
  at: string;
  phase: string;
  message: string;
  startedAt: string;
  endedAt: string | null;
  /** Start to end, or start to now while it runs. */
  seconds: number;
  percent: number | null;
}

export function lastInstall(events: readonly InstallEvent[], now: Date): LastInstall | null {
  const run = lastRun(events);
  const newest = events.at(-1);
  if (!run || !newest) return null;
  return {
    state: run.state,
    at: newest.updatedAt,
    phase: run.phase,
    message: run.message,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    seconds: Math.round(runSeconds(run, now)),
    percent: run.percent,
  };
}

import type { InstallEvent, ReportedState } from '../reports/index.js';

/** A host's last install, from its first event to its result (or to now, while it runs). */
export interface InstallRun {
  state: ReportedState;
  /** The phase of the newest event: where it is, or where it stopped. */
  phase: string;
  message: string;
  mac: string | null;
  startedAt: string;
  /** The `installed` or `failed` event's time; null while it runs. */
  endedAt: string | null;
  updatedAt: string;
  /** The copy's progress: the newest progress the run reported; 100 once installed. */
  percent: number | null;
  bytes: number | null;
  rate: number | null;
}

const ENDS_RUN: readonly ReportedState[] = ['installed', 'failed'];

/**
 * The newest install among a host's events (oldest first). A run is what follows the previous `installed`
 * or `failed`: a reinstall starts a new one, so the times and the result are always the last install's.
 */
export function lastRun(events: readonly InstallEvent[]): InstallRun | null {
  const last = events.at(-1);
  if (!last) return null;
  let start = events.length - 1;
  while (start > 0 && !ENDS_RUN.includes((events[start - 1] as InstallEvent).state)) start -= 1;
  const run = events.slice(start);
  const withProgress = [...run].reverse().find((e) => e.percent !== null || e.bytes !== null);
  const ended = ENDS_RUN.includes(last.state);
  return {
    state: last.state,
    phase: last.phase,
    message: last.message,
    mac: [...run].reverse().find((e) => e.mac !== null)?.mac ?? null,
    startedAt: (run[0] as InstallEvent).at,
    endedAt: ended ? last.at : null,
    updatedAt: run.reduce((newest, e) => (e.updatedAt > newest ? e.updatedAt : newest), last.updatedAt),
    percent: last.state === 'installed' ? 100 : (withProgress?.percent ?? null),
    bytes: withProgress?.bytes ?? null,
    rate: withProgress?.rate ?? null,
  };
}

/** Seconds from start to end (or to `now` while it runs), never negative. */
export function runSeconds(run: InstallRun, now: Date): number {
  const end = run.endedAt ? Date.parse(run.endedAt) : now.getTime();
  return Math.max(0, (end - Date.parse(run.startedAt)) / 1000);
}

import type { BootMode, InstallState } from '../clients/client-record.js';
import type { InstallRun } from './install-runs.js';

export const MONITOR_STATES = ['waiting', 'installing', 'installed', 'failed'] as const;
export type MonitorState = (typeof MONITOR_STATES)[number];

/** What the monitor needs of a client. */
export interface MonitorClient {
  hostname: string;
  macs: readonly string[];
  bootMode: BootMode;
  installState: InstallState;
}

/** One line of `si monitor`, and one element of `si monitor --json`. */
export interface MonitorRow {
  host: string;
  mac: string | null;
  state: MonitorState;
  phase: string | null;
  percent: number | null;
  bytes: number | null;
  rate: number | null;
  startedAt: string | null;
  updatedAt: string | null;
  message: string | null;
}

/** Hours of history the monitor lists by default: a day shows the last night's installs in the morning. */
export const DEFAULT_MONITOR_HOURS = 24;

/**
 * Whether a client is listed: armed for install (boot mode install), or with an event in the window
 * (`recent`: the hosts whose newest event arrived since the window's start).
 */
export function isMonitored(client: MonitorClient, recent: ReadonlySet<string>): boolean {
  return client.bootMode === 'install' || recent.has(client.hostname);
}

/**
 * Turns a client and its last install run into a monitor row, or null when there is nothing to show.
 * Waiting: armed (boot mode install) and either never reported (state new) or installed before: an
 * `installed` event always sets the boot mode to local, so an armed host whose state is `installed` was
 * re-armed after that install. A failed host stays `failed` while armed: its next boot retries, and
 * its first event turns it to installing. So "since armed" needs no time of its own (docs/decisions.md).
 */
export function monitorRow(client: MonitorClient, run: InstallRun | null): MonitorRow | null {
  const firstMac = client.macs[0] ?? null;
  const waiting = client.bootMode === 'install' && (client.installState === 'new' || client.installState === 'installed');
  if (waiting) {
    return { host: client.hostname, mac: firstMac, state: 'waiting', phase: null, percent: null, bytes: null, rate: null, startedAt: null, updatedAt: null, message: null };
  }
  if (client.installState === 'new') return null;
  return {
    host: client.hostname,
    mac: run?.mac ?? firstMac,
    state: client.installState,
    phase: run?.phase ?? null,
    percent: run?.percent ?? null,
    bytes: run?.bytes ?? null,
    rate: run?.rate ?? null,
    startedAt: run?.startedAt ?? null,
    updatedAt: run?.updatedAt ?? null,
    message: run?.message ?? null,
  };
}

/** The rows of the monitored clients, in the order given (the registry's host order). */
export function buildMonitorRows(clients: readonly MonitorClient[], runs: ReadonlyMap<string, InstallRun | null>, recent: ReadonlySet<string>): MonitorRow[] {
  return clients.filter((c) => isMonitored(c, recent)).flatMap((c) => monitorRow(c, runs.get(c.hostname) ?? null) ?? []);
}

/** How many rows are in each state: the monitor's summary line. */
export function countStates(rows: readonly MonitorRow[]): Record<MonitorState, number> {
  const counts = { waiting: 0, installing: 0, installed: 0, failed: 0 };
  for (const row of rows) counts[row.state] += 1;
  return counts;
}

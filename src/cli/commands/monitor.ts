import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { expandHostRange } from '../../core/clients/host-range.js';
import { UserError } from '../../core/errors.js';
import { DEFAULT_MONITOR_HOURS, type MonitorRow } from '../../core/monitor/index.js';
import { readMonitorRows } from '../../infra/monitor/index.js';
import { onStopSignals } from '../../infra/process/stop-signals.js';
import { ingestPendingReports } from '../../infra/reports/index.js';
import { withStore } from '../context.js';
import { note, printJson, printLine } from '../output.js';
import { changeKey, frameLines, plainLine, tableLines } from './monitor-view.js';

interface MonitorOptions {
  json?: boolean;
  once?: boolean;
  interval?: string;
  hours?: string;
}

interface Reading {
  rows: MonitorRow[];
  notes: string[];
}

/** One way of showing the readings: a redrawn terminal table, log lines, or JSON lines. */
interface View {
  show(reading: Reading, now: Date): void;
}

/**
 * si monitor: the clients being installed, from the events installers send (HTTP, through the boot server)
 * and the reports they upload (recorded here first, as si client list does). With --once it prints one
 * reading and ends; otherwise it reads again every --interval seconds until Ctrl-C, or until nobody reads
 * its output any more.
 */
export async function monitorCommand(range: string | undefined, options: MonitorOptions, command: Command): Promise<void> {
  const intervalMs = seconds(options.interval ?? '2', '--interval', 0.1, 3600) * 1000;
  const hours = seconds(options.hours ?? String(DEFAULT_MONITOR_HOURS), '--hours', 0, 24 * 366);
  const hosts = range === undefined ? null : new Set(expandHostRange(range));
  await withStore(command, async (store) => {
    const read = (now: Date): Reading => {
      const notes = ingestPendingReports({ paths: store.paths, db: store.db });
      const clients = store.clients.listClients().filter((c) => !hosts || hosts.has(c.hostname));
      return { rows: readMonitorRows({ db: store.db, clients, hours, now }), notes };
    };
    if (options.once) return showOnce(read(new Date()), Boolean(options.json));
    await watch(read, intervalMs, options.json ? jsonLines() : process.stdout.isTTY ? terminal() : logLines());
  });
}

function showOnce({ rows, notes }: Reading, json: boolean): void {
  for (const line of notes) note(line);
  if (json) return printJson(rows);
  for (const line of tableLines(rows, new Date())) printLine(line);
}

/** Reads and shows until SIGINT/SIGTERM or a closed stdout; either ends the command normally (exit 0). */
async function watch(read: (now: Date) => Reading, intervalMs: number, view: View): Promise<void> {
  const { signal: stopped, dispose } = onStopSignals();
  const closed = new AbortController();
  const onClosed = () => closed.abort();
  process.stdout.once('error', onClosed);
  process.stdout.once('close', onClosed);
  const signal = AbortSignal.any([stopped, closed.signal]);
  try {
    while (!signal.aborted) {
      const now = new Date();
      view.show(read(now), now);
      await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
    }
  } finally {
    process.stdout.off('error', onClosed);
    process.stdout.off('close', onClosed);
    dispose();
  }
}

/** The table redrawn in place: the previous frame's lines are cleared and written over. */
function terminal(): View {
  let drawn = 0;
  const notes: string[] = [];
  return {
    show({ rows, notes: fresh }, now) {
      // Warnings join the frame (the last three): written to stderr they would break the redraw.
      notes.push(...fresh);
      notes.splice(0, Math.max(0, notes.length - 3));
      const lines = frameLines(rows, now, { width: process.stdout.columns || 80, height: process.stdout.rows || 24, notes });
      const up = drawn > 0 ? `\x1b[${drawn}A\r\x1b[J` : '';
      process.stdout.write(`${up}${lines.join('\n')}\n`);
      drawn = lines.length;
    },
  };
}

/** For a log or a pipe: one line per host whose state, phase or tenth of the copy changed. */
function logLines(): View {
  const shown = new Map<string, string>();
  return {
    show({ rows, notes }, now) {
      for (const line of notes) note(line);
      for (const row of rows) {
        const key = changeKey(row);
        if (shown.get(row.host) === key) continue;
        shown.set(row.host, key);
        printLine(plainLine(row, now));
      }
    },
  };
}

/** --json without --once: one JSON array per line (JSON Lines), whenever a reading differs from the last. */
function jsonLines(): View {
  let last = '';
  return {
    show({ rows, notes }) {
      for (const line of notes) note(line);
      const text = JSON.stringify(rows);
      if (text === last) return;
      last = text;
      printLine(text);
    },
  };
}

function seconds(text: string, option: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || value < min || value > max) {
    throw new UserError(`invalid ${option} ${JSON.stringify(text)}: give a number from ${min} to ${max}`);
  }
  return value;
}

import { countStates, type MonitorRow } from '../../core/monitor/index.js';
import { formatBytes, formatSeconds } from '../output.js';
import { formatColumns } from '../table.js';

const BAR_WIDTH = 20;
/** An installing host silent this long is shown as such: its installer may have died without a word. */
const SILENT_MS = 5 * 60_000;

/** `[########------------]  42%` (`42%` at width 0), or nothing where no progress was reported. */
export function progressBar(percent: number | null, width = BAR_WIDTH): string {
  if (percent === null) return '';
  if (width <= 0) return `${Math.floor(percent)}%`;
  const filled = Math.round((Math.min(100, Math.max(0, percent)) / 100) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(percent)).padStart(3)}%`;
}

export function formatRate(rate: number | null): string {
  return rate === null ? '' : `${formatBytes(rate)}/s`;
}

/** Since the install started; to its end once it ended. */
export function elapsedText(row: MonitorRow, now: Date): string {
  if (!row.startedAt) return '';
  const end = row.state === 'installing' || !row.updatedAt ? now.getTime() : Date.parse(row.updatedAt);
  return formatSeconds(Math.max(0, (end - Date.parse(row.startedAt)) / 1000));
}

/** The message's last non-empty line: the newest line of the log tail a failure carries. */
export function lastLine(message: string | null): string {
  const lines = (message ?? '').split('\n').filter((l) => l.trim() !== '');
  return lines.at(-1) ?? '';
}

function noteOf(row: MonitorRow, now: Date): string {
  if (row.state === 'installing' && row.updatedAt && now.getTime() - Date.parse(row.updatedAt) > SILENT_MS) {
    return `(no event for ${formatSeconds((now.getTime() - Date.parse(row.updatedAt)) / 1000)}) ${lastLine(row.message)}`;
  }
  return lastLine(row.message);
}

function summaryLine(rows: readonly MonitorRow[], now: Date): string {
  const counts = countStates(rows);
  return `${counts.installing} installing, ${counts.failed} failed, ${counts.waiting} waiting, ${counts.installed} installed  (${now.toTimeString().slice(0, 8)})`;
}

function rowLines(rows: readonly MonitorRow[], now: Date, barWidth: number): string[] {
  return formatColumns(
    ['HOST', 'MAC', 'STATE', 'PHASE', 'PROGRESS', 'RATE', 'ELAPSED', 'LAST LINE'],
    rows.map((r) => [r.host, r.mac ?? '-', r.state, r.phase ?? '', progressBar(r.percent, barWidth), formatRate(r.rate), elapsedText(r, now), noteOf(r, now)]),
  ).split('\n');
}

/** Each failure's phase and log tail, after an empty line; nothing without failures. */
function tailLines(rows: readonly MonitorRow[]): string[] {
  const tails = rows
    .filter((r) => r.state === 'failed')
    .flatMap((r) => [`${r.host} failed in phase ${r.phase ?? '?'}:`, ...(r.message ?? '').split('\n').filter((l) => l.trim() !== '').map((l) => `  ${l}`)]);
  return tails.length ? ['', ...tails] : [];
}

const NOTHING = 'no client is armed for install or installed lately: arm one with si client set HOST --boot install';

/** The table: a summary, one line per host, the failures' log tails under it. */
export function tableLines(rows: readonly MonitorRow[], now: Date): string[] {
  if (rows.length === 0) return [summaryLine(rows, now), NOTHING];
  return [summaryLine(rows, now), ...rowLines(rows, now, BAR_WIDTH), ...tailLines(rows)];
}

/**
 * A frame for a terminal of `width` x `height`: every line cut to the width (so the line count is exact for
 * the redraw), and at most `height - 1` lines. The failures' tails keep up to half of it; where the hosts do
 * not fit the rest, the waiting ones go last and are counted.
 */
export function frameLines(rows: readonly MonitorRow[], now: Date, { width, height, notes = [] }: { width: number; height: number; notes?: readonly string[] }): string[] {
  const room = Math.max(4, height - 1 - notes.length);
  if (rows.length === 0) return [summaryLine(rows, now), NOTHING, ...notes].map((line) => cut(line, Math.max(10, width - 1)));
  const tails = tailLines(rows).slice(0, Math.floor(room / 2));
  const rowRoom = room - 2 - tails.length;
  let shown = rows;
  if (rows.length > rowRoom) {
    const ordered = [...rows.filter((r) => r.state !== 'waiting'), ...rows.filter((r) => r.state === 'waiting')];
    shown = ordered.slice(0, Math.max(1, rowRoom - 1));
  }
  const hidden = rows.length - shown.length;
  // A narrow terminal gets a shorter bar: the last log line is worth more than the bar's resolution.
  const barWidth = width < 100 ? 0 : width < 130 ? 10 : BAR_WIDTH;
  const lines = [
    summaryLine(rows, now),
    ...rowLines(shown, now, barWidth),
    ...(hidden > 0 ? [`... and ${hidden} more (si monitor --json --once lists all)`] : []),
    ...tails,
    ...notes,
  ];
  return lines.map((line) => cut(line, Math.max(10, width - 1)));
}

function cut(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : `${chars.slice(0, width - 1).join('')}…`;
}

/** One line for a log (not a terminal): what changed for a host. */
export function plainLine(row: MonitorRow, now: Date): string {
  const parts = [now.toISOString(), row.host, row.state, row.phase ?? '-'];
  if (row.percent !== null) parts.push(`${Math.floor(row.percent)}%`);
  if (row.rate !== null) parts.push(formatRate(row.rate));
  const elapsed = elapsedText(row, now);
  if (elapsed) parts.push(elapsed);
  const line = lastLine(row.message);
  return line ? `${parts.join(' ')}: ${line}` : parts.join(' ');
}

/** What makes a new log line: a new state or phase, or another tenth of the copy. */
export function changeKey(row: MonitorRow): string {
  return `${row.state}|${row.phase ?? ''}|${row.percent === null ? '' : Math.floor(row.percent / 10)}`;
}

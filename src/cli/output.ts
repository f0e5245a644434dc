import { createRequire } from 'node:module';
import type TableConstructor from 'cli-table3';

// Loaded when a table is printed: commands that print none (si getimage) start faster without it.
const load = createRequire(import.meta.url);

/** The only module that writes results: stdout for results, stderr for progress and notes. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

export function printTable(head: string[], rows: (string | number)[][]): void {
  if (rows.length === 0) return;
  const Table = load('cli-table3') as typeof TableConstructor;
  const table = new Table({ head, style: { head: [], border: [] }, chars: plainBorders });
  for (const row of rows) table.push(row.map(String));
  printLine(table.toString());
}

/** Column layout without box drawing: easy to read and to grep. */
const plainBorders = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatSeconds(seconds: number): string {
  return seconds < 60 ? `${seconds.toFixed(1)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

import { formatColumns } from './table.js';

/** Streams whose reader went away: writing to them again would only raise the same error. */
const closed = new Set<NodeJS.WriteStream>();

/**
 * Watches stdout and stderr for a reader that went away (`si client list | head -1`: EPIPE). That ends the
 * output, not the command: the rest is not written, and the command ends as it would have, without a trace
 * (docs/decisions.md). Any other write error (a full disk behind `> file`) is one line and exit 1, which
 * `failure()` reports to main.ts.
 */
export function watchOutput(): { failure(): number | null } {
  let failure: number | null = null;
  for (const [name, stream] of [['stdout', process.stdout], ['stderr', process.stderr]] as const) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      const first = !closed.has(stream);
      closed.add(stream);
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED' || !first) return;
      failure = 1;
      if (stream !== process.stderr && !closed.has(process.stderr)) process.stderr.write(`si: cannot write the output to ${name}: ${error.code ?? error.message}\n`);
    });
  }
  return { failure: () => failure };
}

function write(stream: NodeJS.WriteStream, text: string): void {
  if (!closed.has(stream)) stream.write(text);
}

/** The only module that writes results: stdout for results, stderr for progress and notes. */
export function printJson(value: unknown): void {
  write(process.stdout, `${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ''): void {
  write(process.stdout, `${text}\n`);
}

export function note(text: string): void {
  write(process.stderr, `${text}\n`);
}

export function printTable(head: string[], rows: (string | number)[][]): void {
  if (rows.length === 0) return;
  printLine(formatColumns(head, rows));
}

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

import { UserError } from '../errors.js';
import { isValidName } from '../names.js';
import { normalizeMac } from './mac.js';

/*
 * RFC 4180 is seven grammar rules (fields, commas, line breaks, double quotes with "" inside). A parser that
 * small is shorter than the glue around a dependency, and it lets errors carry the line a record starts on.
 */

export interface CsvRow {
  /** 1-based line the record starts on. */
  line: number;
  fields: string[];
}

/**
 * Parses RFC 4180 CSV: LF or CRLF line ends, quoted fields with `""` for a quote and line breaks inside,
 * a leading BOM ignored. Blank lines are skipped, and with `comments` so are lines starting with `#`.
 */
export function parseCsv(text: string, { source = 'CSV', comments = false } = {}): CsvRow[] {
  const rows: CsvRow[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const blank = text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n');
    if (blank || (comments && text[i] === '#')) {
      while (i < text.length && text[i] !== '\n') i++;
      i++;
      line++;
      continue;
    }
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) throw new UserError(`${source}:${start}: a quoted field is never closed; add the closing "`);
          const c = text[i] as string;
          if (c === '"' && text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else if (c === '"') {
            i++;
            break;
          } else {
            if (c === '\n') line++;
            field += c;
            i++;
          }
        }
        if (i < text.length && !isFieldEnd(text, i)) {
          throw new UserError(`${source}:${line}: text after a closing quote; double a quote inside a quoted field ("")`);
        }
      } else {
        const from = i;
        while (i < text.length && !isFieldEnd(text, i)) i++;
        field = text.slice(from, i);
      }
      fields.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    i++; // the newline, or past the end
    line++;
    rows.push({ line: start, fields });
  }
  return rows;
}

function isFieldEnd(text: string, i: number): boolean {
  const c = text[i];
  return c === ',' || c === '\n' || (c === '\r' && text[i + 1] === '\n');
}

/** Quotes a field only when it needs it (comma, quote, line break, or edge spaces). */
export function formatCsvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function formatCsvRow(fields: readonly string[]): string {
  return fields.map(formatCsvField).join(',');
}

const HEADER_NAMES = new Set(['hostname', 'host', 'name']);

/**
 * Parses a MAC list: `hostname,mac[,mac...]` per line, an optional header line, `#` comments.
 * Each host appears once and each MAC once; errors name the line (and the earlier line for repeats).
 */
export function parseMacCsv(text: string, { source = 'MAC list' } = {}): Map<string, string[]> {
  const macs = new Map<string, string[]>();
  const hostLine = new Map<string, number>();
  const macLine = new Map<string, { host: string; line: number }>();
  const rows = parseCsv(text, { source, comments: true });
  let first = true;
  for (const row of rows) {
    const fields = row.fields.map((f) => f.trim());
    const at = `${source}:${row.line}`;
    if (fields.every((f) => f === '') || fields[0]?.startsWith('#')) continue;
    const isHeader = first && HEADER_NAMES.has((fields[0] ?? '').toLowerCase());
    first = false;
    if (isHeader) continue;
    const [host = '', ...rest] = fields;
    const given = rest.filter((f) => f !== '');
    // Fields are named by position, never echoed: --macs may point at a file that is not a MAC list at all.
    if (!isValidName(host)) throw new UserError(`${at}: the first field is not a host name; each line is hostname,mac[,mac...]`);
    const hostname = host;
    if (given.length === 0) throw new UserError(`${at}: no MAC address after ${hostname}; write ${hostname},aa:bb:cc:dd:ee:ff`);
    const earlier = hostLine.get(hostname);
    if (earlier !== undefined) {
      throw new UserError(`${at}: ${hostname} is already listed on line ${earlier}; put all its MACs on one line`);
    }
    hostLine.set(hostname, row.line);
    const list: string[] = [];
    for (const [index, text] of given.entries()) {
      const mac = macField(at, index + 2, text);
      const holder = macLine.get(mac);
      if (holder !== undefined) {
        throw new UserError(`${at}: MAC ${mac} for ${hostname} is already given for ${holder.host} on line ${holder.line}`);
      }
      macLine.set(mac, { host: hostname, line: row.line });
      list.push(mac);
    }
    macs.set(hostname, list);
  }
  return macs;
}

function macField(at: string, field: number, text: string): string {
  try {
    return normalizeMac(text);
  } catch {
    throw new UserError(`${at}: field ${field} is not a network card's MAC address; write six hex pairs such as 52:54:00:12:34:56`);
  }
}

/** Runs a validator and prefixes its UserError with `source:line: `. */
export function withLine<T>(at: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${at}: ${error.message}`, error.exitCode);
    throw error;
  }
}

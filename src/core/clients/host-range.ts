import { UserError } from '../errors.js';
import { checkName } from '../names.js';

/** The most hosts one spec may name: far above any cluster, low enough to stop a typo'd `[1-9999999]`. */
export const MAX_HOSTS_PER_SPEC = 100_000;

/** One bracket item or dash range: `lo`..`hi` printed at least `width` digits wide. */
interface NumberRun {
  lo: number;
  hi: number;
  width: number;
}

/** A name template: literal text and numeric choices, expanded as a cartesian product, left to right. */
type Part = { literal: string } | { runs: NumberRun[] };

/**
 * Expands a host spec into hostnames, in order: `node[001-100]`, `rack[1-2]n[01-16]`, `node[1,3,5-7]`,
 * `node001-node100`, and comma lists of those (commas inside brackets belong to the bracket).
 */
export function expandHostRange(spec: string): string[] {
  const trimmed = spec.trim();
  if (trimmed === '') throw new UserError('empty host range: give hostnames such as node[001-100] or node001-node100');
  const templates = splitTopLevel(trimmed).map((item) => parseItem(item, spec));
  const total = templates.reduce((sum, parts) => sum + countNames(parts), 0);
  if (total > MAX_HOSTS_PER_SPEC) {
    throw new UserError(
      `host range ${JSON.stringify(spec)} names ${total} hosts, more than ${MAX_HOSTS_PER_SPEC}; split it into several commands`,
    );
  }
  const names: string[] = [];
  for (const parts of templates) expandParts(parts, 0, '', names);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      throw new UserError(`host range ${JSON.stringify(spec)} names ${name} more than once; remove the overlap`);
    }
    seen.add(name);
    checkName('host', name);
  }
  return names;
}

/** Splits on commas that are not inside brackets. */
function splitTopLevel(spec: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i];
    if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === ',' && depth === 0) {
      items.push(spec.slice(start, i));
      start = i + 1;
    }
    if (depth < 0 || depth > 1) break; // parseItem reports the bracket problem with its context
  }
  items.push(spec.slice(start));
  return items.map((item) => item.trim());
}

function parseItem(item: string, spec: string): Part[] {
  if (item === '') {
    throw new UserError(`host range ${JSON.stringify(spec)} has an empty item; remove the stray comma`);
  }
  if (item.includes('[') || item.includes(']')) return parseBrackets(item, spec);
  const dashed = parseDashRange(item, spec);
  return dashed ?? [{ literal: item }];
}

function parseBrackets(item: string, spec: string): Part[] {
  const parts: Part[] = [];
  let rest = item;
  while (rest !== '') {
    const open = rest.indexOf('[');
    const close = rest.indexOf(']');
    if (open === -1 && close === -1) {
      parts.push({ literal: rest });
      break;
    }
    if (close === -1) {
      throw new UserError(`host range ${JSON.stringify(spec)} has a '[' without ']'; close the bracket`);
    }
    if (open === -1 || close < open) {
      throw new UserError(`host range ${JSON.stringify(spec)} has a ']' without '['; write ranges as node[1-10]`);
    }
    const inner = rest.slice(open + 1, close);
    if (inner.includes('[')) {
      throw new UserError(`host range ${JSON.stringify(spec)} nests brackets; write groups side by side: rack[1-2]n[01-16]`);
    }
    if (open > 0) parts.push({ literal: rest.slice(0, open) });
    parts.push({ runs: inner.split(',').map((piece) => parseRun(piece.trim(), spec)) });
    rest = rest.slice(close + 1);
  }
  return parts;
}

const RUN = /^(\d+)(?:-(\d+))?$/;

function parseRun(piece: string, spec: string): NumberRun {
  const m = RUN.exec(piece);
  if (!m) {
    throw new UserError(
      `host range ${JSON.stringify(spec)}: ${JSON.stringify(piece)} is not a number or a range inside brackets; use e.g. [1-10] or [1,3,5-7]`,
    );
  }
  const loText = m[1] as string;
  return makeRun(loText, m[2] ?? loText, spec);
}

function makeRun(loText: string, hiText: string, spec: string): NumberRun {
  const lo = Number(loText);
  const hi = Number(hiText);
  if (hi < lo) {
    throw new UserError(
      `host range ${JSON.stringify(spec)}: ${loText}-${hiText} is reversed; put the lower bound first (${hiText}-${loText})`,
    );
  }
  if (!Number.isSafeInteger(hi)) {
    throw new UserError(`host range ${JSON.stringify(spec)}: ${hiText} is too large a number`);
  }
  // A leading zero asks for padding to the lower bound's width; `1-10` stays unpadded.
  return { lo, hi, width: loText.length };
}

const TRAILING_DIGITS = /^(.*?)(\d+)$/;

/** `node001-node100`: both ends share a prefix and end in digits. Returns undefined for a plain name. */
function parseDashRange(item: string, spec: string): Part[] | undefined {
  for (let i = item.indexOf('-'); i !== -1; i = item.indexOf('-', i + 1)) {
    const left = TRAILING_DIGITS.exec(item.slice(0, i));
    const right = TRAILING_DIGITS.exec(item.slice(i + 1));
    if (!left || !right || left[1] !== right[1]) continue;
    const prefix = left[1] as string;
    const run = makeRun(left[2] as string, right[2] as string, spec);
    return prefix === '' ? [{ runs: [run] }] : [{ literal: prefix }, { runs: [run] }];
  }
  return undefined;
}

function countNames(parts: Part[]): number {
  let count = 1;
  for (const part of parts) {
    if ('runs' in part) count *= part.runs.reduce((sum, r) => sum + (r.hi - r.lo + 1), 0);
  }
  return count;
}

function expandParts(parts: Part[], index: number, prefix: string, out: string[]): void {
  const part = parts[index];
  if (part === undefined) {
    out.push(prefix);
    return;
  }
  if ('literal' in part) {
    expandParts(parts, index + 1, prefix + part.literal, out);
    return;
  }
  for (const run of part.runs) {
    for (let n = run.lo; n <= run.hi; n++) {
      expandParts(parts, index + 1, prefix + String(n).padStart(run.width, '0'), out);
    }
  }
}

/**
 * The inverse of expandHostRange, for display: `node001,node002,node003,node007` -> `node[001-003,007]`.
 * Names are grouped by the text before their trailing number; groups keep first-seen order, numbers are sorted.
 */
export function compressHostNames(names: readonly string[]): string {
  const groups = new Map<string, string[]>();
  const plain = new Set<string>();
  const order: string[] = [];
  for (const name of names) {
    const m = TRAILING_DIGITS.exec(name);
    if (!m) {
      if (!plain.has(name)) order.push(name);
      plain.add(name);
      continue;
    }
    const prefix = m[1] as string;
    let digits = groups.get(prefix);
    if (!digits) {
      digits = [];
      groups.set(prefix, digits);
      order.push(`\0${prefix}`);
    }
    digits.push(m[2] as string);
  }
  return order
    .map((key) => (key.startsWith('\0') ? compressGroup(key.slice(1), groups.get(key.slice(1)) ?? []) : key))
    .join(',');
}

function compressGroup(prefix: string, digitTexts: string[]): string {
  const unique = [...new Set(digitTexts)].sort((a, b) => Number(a) - Number(b) || a.length - b.length);
  const unused = new Set(unique);
  const runs: string[] = [];
  for (const lo of unique) {
    if (!unused.has(lo)) continue;
    unused.delete(lo);
    let hi = lo;
    for (;;) {
      const next = String(Number(hi) + 1).padStart(lo.length, '0');
      if (!unused.has(next)) break;
      unused.delete(next);
      hi = next;
    }
    runs.push(hi === lo ? lo : `${lo}-${hi}`);
  }
  if (runs.length === 1 && !runs[0]?.includes('-')) return prefix + runs[0];
  return `${prefix}[${runs.join(',')}]`;
}

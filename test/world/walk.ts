// Byte-exact tree walking for test worlds: names are Buffers, so non-UTF-8 names survive.
import { lstatSync, readdirSync, type BigIntStats } from 'node:fs';
import { resolve } from 'node:path';

export interface WalkedEntry {
  /** Path relative to the root, starting with '/' ('/' is the root itself), as raw bytes. */
  rel: Buffer;
  /** The same path rendered by renderPath(). */
  path: string;
  stats: BigIntStats;
}

const SLASH = Buffer.from('/');

/** Every entry under root (root included), depth first in byte order; exclude(path) prunes a subtree. */
export function walkTree(root: string, { exclude }: { exclude?: (path: string) => boolean } = {}): WalkedEntry[] {
  const base = Buffer.from(resolve(root));
  const entries: WalkedEntry[] = [];
  const visit = (rel: Buffer): void => {
    const path = renderPath(rel);
    if (rel.length > 1 && exclude?.(path)) return;
    const absolute = rel.length > 1 ? Buffer.concat([base, rel]) : base;
    const stats = lstatSync(absolute, { bigint: true });
    entries.push({ rel, path, stats });
    if (!stats.isDirectory()) return;
    const names = readdirSync(absolute, { encoding: 'buffer' }).sort(Buffer.compare);
    const prefix = rel.length > 1 ? Buffer.concat([rel, SLASH]) : SLASH;
    for (const name of names) visit(Buffer.concat([prefix, name]));
  };
  visit(SLASH);
  return entries;
}

/**
 * Renders a raw path as a string, injectively: valid UTF-8 stays readable with only backslash and
 * control characters escaped as \xNN; a name that is not valid UTF-8 has every non-ASCII byte escaped.
 */
export function renderPath(raw: Buffer): string {
  const text = raw.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(raw)) {
    return text.replace(/[\x00-\x1f\x7f\\]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
  }
  let out = '';
  for (const byte of raw) {
    out += byte >= 0x20 && byte < 0x7f && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** The absolute Buffer path of rel under root. */
export function absolutePath(root: string, rel: Buffer): Buffer {
  return rel.length > 1 ? Buffer.concat([Buffer.from(resolve(root)), rel]) : Buffer.from(resolve(root));
}

import fs from 'node:fs';
import { UserError } from '../core/errors.js';

/** A comma list from an option: items trimmed, empty items dropped. */
export function splitList(text: string | undefined): string[] {
  return (text ?? '').split(',').map((item) => item.trim()).filter(Boolean);
}

/** A file the user named, as text; a missing or unreadable one is a one-line error. */
export function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`cannot read ${what} ${file}: give a readable file`);
  }
}

/** One of a fixed set of words, or a one-line error that lists them. */
export function oneOf<T extends string>(value: string, allowed: readonly T[], option: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UserError(`invalid ${option} ${JSON.stringify(value)}: use ${allowed.join(' or ')}`);
  return value as T;
}

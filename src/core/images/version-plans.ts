import { UserError } from '../errors.js';

/** Pure decisions about an image's versions; the store applies them. */

export function parseVersionNumber(text: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(text)) throw new UserError(`invalid version ${JSON.stringify(text)}: give a version number as listed by 'si image versions'`);
  return Number.parseInt(text, 10);
}

export function requireVersion(image: string, numbers: readonly number[], version: number): number {
  if (!numbers.includes(version)) {
    const known = numbers.length ? `it has ${numbers.join(', ')}` : 'it has none';
    throw new UserError(`image ${image} has no version ${version} (${known}): see 'si image versions ${image}'`);
  }
  return version;
}

/** Rollback without a version goes to the newest version older than the current one. */
export function planRollback(options: { image: string; numbers: readonly number[]; current: number | null; target?: number }): number {
  const { image, numbers, current, target } = options;
  if (target !== undefined) {
    requireVersion(image, numbers, target);
    if (target === current) throw new UserError(`image ${image} is already at version ${target}: nothing to roll back`);
    return target;
  }
  const older = numbers.filter((n) => current === null || n < current);
  const previous = older.at(-1);
  if (previous === undefined) throw new UserError(`image ${image} has no version older than ${current}: give a version, see 'si image versions ${image}'`);
  return previous;
}

/** Which versions `gc --keep N` removes: the oldest beyond the newest N, never the current one. */
export function planGc(options: { numbers: readonly number[]; current: number | null; keep: number }): number[] {
  const { numbers, current, keep } = options;
  if (!Number.isInteger(keep) || keep < 1) throw new UserError(`--keep must be a whole number of at least 1`);
  const sorted = [...numbers].sort((a, b) => a - b);
  const kept = new Set(sorted.slice(-keep));
  if (current !== null) kept.add(current);
  return sorted.filter((n) => !kept.has(n));
}

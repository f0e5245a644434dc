/** A partition or logical volume size as written in a layout: a fixed size, a share, or what is left. */
export type SizeSpec = { kind: 'mib'; mib: number } | { kind: 'percent'; percent: number } | { kind: 'rest' };

const FIXED = /^(\d{1,9}(?:\.\d{1,6})?)(MiB|GiB|TiB)$/;
const PERCENT = /^(\d{1,3})%$/;
const FACTOR = { MiB: 1, GiB: 1024, TiB: 1024 * 1024 } as const;

export const SIZE_HINT = 'use 512MiB, 20GiB, 10% or rest';

/**
 * Parses `512MiB`, `1.5GiB`, `2TiB` (rounded down to whole MiB, at least 1), `10%` (a whole number 1-100,
 * so the install script can do the same integer arithmetic) or `rest`. Returns undefined when it is none.
 */
export function parseSizeSpec(text: string): SizeSpec | undefined {
  if (text === 'rest') return { kind: 'rest' };
  const percent = PERCENT.exec(text);
  if (percent) {
    const value = Number(percent[1]);
    return value >= 1 && value <= 100 ? { kind: 'percent', percent: value } : undefined;
  }
  const fixed = FIXED.exec(text);
  if (!fixed) return undefined;
  const mib = Math.floor(Number(fixed[1]) * FACTOR[fixed[2] as keyof typeof FACTOR]);
  return mib >= 1 ? { kind: 'mib', mib } : undefined;
}

export function formatMiB(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}GiB` : `${mib}MiB`;
}

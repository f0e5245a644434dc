import { UserError } from '../errors.js';

/** The configure stages, in the order they run. */
export const STAGES = [
  'identity',
  'hostname',
  'network',
  'fstab',
  'initrd',
  'bootloader',
  'locale',
  'user-exits',
] as const;

export type StageName = (typeof STAGES)[number];

export function isStageName(name: string): name is StageName {
  return (STAGES as readonly string[]).includes(name);
}

/**
 * Parses a stage selection such as `identity,network` (or a list of them); `all` or nothing
 * selects every stage. Returned in run order, without duplicates.
 */
export function parseStages(input?: string | readonly string[]): StageName[] {
  const words = (typeof input === 'string' ? [input] : (input ?? []))
    .flatMap((part) => part.split(','))
    .map((word) => word.trim())
    .filter(Boolean);
  if (words.length === 0 || words.includes('all')) return [...STAGES];
  for (const word of words) {
    if (!isStageName(word)) {
      throw new UserError(`unknown stage "${word}": use one or more of ${STAGES.join(', ')} (comma separated), or all`);
    }
  }
  return STAGES.filter((stage) => words.includes(stage));
}

/**
 * What the rsync daemon serves as the `scripts` module is one generation: a complete directory under
 * script-generations/, numbered, that scripts/ (a symlink) points at. A render builds the next one under a
 * dot name, renames it to its number when complete, and switches the link with a rename; a daemon
 * connection chroots into the directory the link names when it starts, so it sees one generation whole.
 */
export const GENERATIONS_DIR = 'script-generations';

/** The name a generation is built under until it is complete. */
export const partialName = (number: number) => `.partial-${number}`;

/** The symlink's target, relative to SI_HOME so that the home can be moved as a whole. */
export const generationLinkTarget = (number: number) => `${GENERATIONS_DIR}/${number}`;

/** A complete generation's number from its directory name, or null. */
export function generationNumber(name: string): number | null {
  return /^[1-9][0-9]{0,9}$/.test(name) ? Number(name) : null;
}

/** The number of the generation scripts/ points at, from the link's text, or null. */
export function currentGeneration(linkTarget: string | null): number | null {
  if (linkTarget === null) return null;
  const match = /^script-generations\/([0-9]+)$/.exec(linkTarget);
  return match?.[1] ? generationNumber(match[1]) : null;
}

/** The number for the next generation: above every name in the directory, complete or not. */
export function nextGeneration(names: readonly string[]): number {
  let highest = 0;
  for (const name of names) {
    const number = generationNumber(name) ?? generationNumber(name.replace(/^\.partial-/, ''));
    if (number !== null && number > highest) highest = number;
  }
  return highest + 1;
}

/**
 * Entries of script-generations/ to remove: everything but the current generation, the one before it
 * (an installer may still be reading it) and `keep` (the one being built). Half-built generations of a
 * killed render (`.partial-N`) and complete ones that were never switched to go too. The lock file stays.
 */
export function generationsToRemove({ names, current, keep }: { names: readonly string[]; current: number | null; keep?: string }): string[] {
  const complete = names.map(generationNumber).filter((n): n is number => n !== null);
  const previous = current === null ? null : Math.max(0, ...complete.filter((n) => n < current));
  const kept = new Set([current, previous].filter((n): n is number => n !== null && n > 0).map(String));
  if (keep !== undefined) kept.add(keep);
  return names.filter((name) => !kept.has(name) && name !== LOCK_NAME).sort();
}

export const LOCK_NAME = '.lock';

/**
 * The master's generation id: the first 16 hex digits of the sha256 of its text rendered with an empty id.
 * Equal ids mean equal masters, so a host script rendered with one runs against any master that has it.
 */
export const MASTER_ID_LENGTH = 16;
export const masterIdLine = (id: string) => `SI_MASTER_ID=${id}`;

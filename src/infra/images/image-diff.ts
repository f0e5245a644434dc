import { parseItemizedDiff, type ImageDiff } from '../../core/images/itemized-diff.js';
import { run } from '../run.js';
import { buildRsyncArgv } from '../../core/rsync/argv.js';

/** Compares two version trees with rsync in dry-run mode: what would turn `from` into `to`. */
export async function diffTrees(from: string, to: string): Promise<ImageDiff> {
  // %i %n without %L: link targets are not appended, so a name that contains " -> " stays whole.
  const argv = buildRsyncArgv({ source: `${to}/`, destination: `${from}/`, preserveAll: true, delete: true, dryRun: true, outFormat: '%i %n' });
  const result = await run(argv);
  return parseItemizedDiff(result.stdout);
}

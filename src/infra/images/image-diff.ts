import { parseItemizedDiff, type ImageDiff } from '../../core/images/itemized-diff.js';
import { run } from '../run.js';
import { buildRsyncArgv } from '../rsync/argv.js';

/** Compares two version trees with rsync in dry-run mode: what would turn `from` into `to`. */
export async function diffTrees(from: string, to: string): Promise<ImageDiff> {
  const argv = buildRsyncArgv({ source: `${to}/`, destination: `${from}/`, preserveAll: true, delete: true, dryRun: true });
  // %i %n without %L: link targets are not appended, so a name that contains " -> " stays whole.
  argv.splice(1, 0, '--out-format=%i %n');
  const result = await run(argv);
  return parseItemizedDiff(result.stdout);
}

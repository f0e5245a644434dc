import fs from 'node:fs';
import { UserError } from '../../core/errors.js';
import type { VersionRow } from '../../core/registry/image-records.js';
import { buildRsyncArgv } from '../../core/rsync/argv.js';
import { lastProgress, type RsyncProgress } from '../rsync/output.js';
import { isNoSpace, noSpaceError } from './no-space.js';
import { explainRsyncFailure } from '../rsync/failure.js';
import { run } from '../run.js';
import type { ImageStore } from './image-store.js';

/**
 * si image cp: the source's current version becomes version 1 of a new image. A full copy, not
 * hard links, so that changing one image inside a chroot never changes the other.
 */
export async function copyImage(
  store: ImageStore,
  source: string,
  destination: string,
  onProgress?: (progress: RsyncProgress) => void,
): Promise<VersionRow> {
  const current = store.currentVersion(store.requireImage(source).name);
  if (!current) throw new UserError(`image ${source} has no current version to copy: capture it first`);
  store.refuseExisting(destination);
  const release = store.lock(destination);
  try {
    const incoming = store.incomingPath(destination);
    fs.mkdirSync(incoming, { recursive: true });
    const from = store.versionPath(source, current.number);
    const argv = buildRsyncArgv({ source: `${from}/`, destination: `${incoming}/`, preserveAll: true, delete: true, progress: Boolean(onProgress) });
    const onStdout = onProgress && ((chunk: string) => {
      const progress = lastProgress(chunk);
      if (progress) onProgress(progress);
    });
    try {
      await run(argv, { onStdout });
    } catch (error) {
      // A copy is made again from the start: nothing of it stays.
      store.discardIncoming(destination);
      throw isNoSpace(error) ? noSpaceError(store.paths.home, 'copy') : explainRsyncFailure(error, `the partial copy was removed and ${destination} was not made`);
    }
    return store.commitIncoming({
      ...current,
      image: destination,
      origin: 'copy',
      createdAt: new Date().toISOString(),
      source: `copy of ${source}/${current.number}`,
    });
  } finally {
    release();
  }
}

import type { VersionRow } from '../../core/registry/image-records.js';
import { buildRsyncArgv } from '../../core/rsync/argv.js';
import { run } from '../run.js';
import { measureTree } from './build-image.js';
import type { ImageStore } from './image-store.js';
import { isNoSpace, noSpaceError } from './no-space.js';
import { explainRsyncFailure } from '../rsync/failure.js';

/**
 * A tree (the merged view of an exec layer) becomes the next version the way a capture does: rsync into
 * `.incoming` with --link-dest at the previous version, so every unchanged file is a hard link to it and every
 * changed one a new inode; then commitIncoming. Caller holds the lock.
 */
export async function commitTree(
  store: ImageStore,
  request: { image: string; tree: string; previous: VersionRow; origin: string; source: string },
): Promise<VersionRow> {
  const incoming = store.incomingPath(request.image);
  // A capture's partial copy is not ours to resume from: this one starts clean.
  store.discardIncoming(request.image);
  const argv = buildRsyncArgv({
    source: `${request.tree}/`,
    destination: `${incoming}/`,
    preserveAll: true,
    delete: true,
    linkDest: store.versionPath(request.image, request.previous.number),
  });
  try {
    await run(argv);
  } catch (error) {
    store.discardIncoming(request.image);
    throw isNoSpace(error) ? noSpaceError(store.paths.home, 'copy') : explainRsyncFailure(error, `no version was made`);
  }
  const { sizeBytes, fileCount } = measureTree(incoming);
  return store.commitIncoming({
    ...request.previous,
    image: request.image,
    origin: request.origin,
    createdAt: new Date().toISOString(),
    source: request.source,
    sizeBytes,
    fileCount,
    note: `from version ${request.previous.number}`,
  });
}

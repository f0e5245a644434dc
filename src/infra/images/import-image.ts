import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { compressionOf } from '../../core/images/archive-plans.js';
import { buildCapturedLayout } from '../../core/layout/build-captured.js';
import { buildRsyncArgv } from '../../core/rsync/argv.js';
import { checkName } from '../../core/names.js';
import { run } from '../run.js';
import { measureTree, probeTree } from './build-image.js';
import type { ImageStore } from './image-store.js';
import { isNoSpace, noSpaceError } from './no-space.js';
import { applyLayers, dockerArchiveLayers, ociLayers } from './oci-layers.js';
import { untar } from './root-tarball.js';
import { removeTree } from './tree-ops.js';
import { onStopSignals } from '../process/stop-signals.js';

export type ImportSource = { kind: 'archive'; file: string } | { kind: 'oci'; layout: string } | { kind: 'docker-archive'; file: string };

export interface ImportResult {
  image: string;
  version: number;
  source: string;
  sizeBytes: number;
  fileCount: number;
  /** Files shared (hard-linked) with the previous version. */
  previous: number | null;
}

/** Refusals that need no lock: a missing file, an unknown suffix, a directory that is no OCI layout. */
function checkSource(source: ImportSource): void {
  const file = source.kind === 'oci' ? source.layout : source.file;
  if (!fs.existsSync(file)) throw new UserError(`no such file or directory: ${file}: give the path of the image to import`);
  if (source.kind === 'archive') compressionOf(source.file);
  if (source.kind === 'oci' && !fs.statSync(file).isDirectory()) throw new UserError(`${file} is not a directory: --oci takes an OCI image layout directory (use --docker-archive or --archive for a file)`);
  if (source.kind !== 'oci' && !fs.statSync(file).isFile()) throw new UserError(`${file} is not a file: give a tar archive`);
  if (source.kind === 'oci') ociLayers(file);
}

function describe(source: ImportSource): string {
  return source.kind === 'oci' ? `oci ${path.resolve(source.layout)}` : `${source.kind} ${path.resolve(source.file)}`;
}

/**
 * si image import: the tree is unpacked into a staging directory, then copied into `.incoming` by rsync with
 * --link-dest at the current version, the same path a capture takes, so every unchanged file is a hard link to
 * the previous version; then committed as the next version. A failure leaves every version as it was.
 */
export async function importImage(store: ImageStore, image: string, source: ImportSource): Promise<ImportResult> {
  checkName('image', image);
  checkSource(source);
  const previous = store.registry.findImage(image) ? store.currentVersion(image) : null;
  const release = store.lock(image);
  const unpack = path.join(store.paths.versions, image, '.unpack');
  const incoming = store.incomingPath(image);
  // SIGINT/SIGTERM stop tar or rsync and let the cleanup below remove the partial trees.
  const stop = onStopSignals();
  const { signal } = stop;
  try {
    removeTree(unpack);
    removeTree(incoming);
    const tree = path.join(unpack, 'tree');
    fs.mkdirSync(tree, { recursive: true });
    if (source.kind === 'archive') await untar(source.file, tree, `${source.file} is not a readable root tarball`, signal);
    else {
      const layers = source.kind === 'oci' ? ociLayers(source.layout) : await dockerArchiveLayers(source.file, path.join(unpack, 'archive'), signal);
      await applyLayers(layers, tree, path.join(unpack, 'layers'), signal);
    }
    fs.mkdirSync(incoming, { recursive: true });
    const linkDest = previous ? store.versionPath(image, previous.number) : undefined;
    await run(buildRsyncArgv({ source: `${tree}/`, destination: `${incoming}/`, preserveAll: true, delete: true, linkDest }), { signal });
    if (signal.aborted) throw new UserError('stopped', 130);
    removeTree(unpack);
    const layout = buildCapturedLayout(probeTree(incoming, image));
    const { sizeBytes, fileCount } = measureTree(incoming);
    const version = store.commitIncoming({
      image,
      origin: 'import',
      createdAt: new Date().toISOString(),
      source: `import ${describe(source)}`,
      sizeBytes,
      fileCount,
      layout,
      excludes: [],
      note: '',
    });
    return { image, version: version.number, source: version.source, sizeBytes, fileCount, previous: previous?.number ?? null };
  } catch (error) {
    removeTree(unpack);
    store.discardIncoming(image);
    if (signal.aborted) throw new UserError(`si image import was stopped: the partial import of ${image} was removed and no version was made`, 130);
    throw isNoSpace(error) ? noSpaceError(store.paths.home, 'import') : error;
  } finally {
    stop.dispose();
    release();
  }
}

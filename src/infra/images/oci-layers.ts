import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { layersFromDockerManifest, layersFromManifest, manifestFromIndex, whiteoutOf, type LayerRef } from '../../core/images/oci-layout.js';
import { buildRsyncArgv } from '../../core/rsync/argv.js';
import { run } from '../run.js';
import { untar } from './root-tarball.js';

/** The layer files of an OCI image layout directory, in order (index.json -> manifest -> layers). */
export function ociLayers(layout: string): string[] {
  if (!fs.existsSync(path.join(layout, 'index.json')) || !fs.existsSync(path.join(layout, 'oci-layout'))) {
    throw new UserError(`${layout} is not an OCI image layout (no oci-layout and index.json): give a directory made by 'skopeo copy ... oci:DIR' or umoci`);
  }
  const manifest = manifestFromIndex(readJson(path.join(layout, 'index.json'), layout), layout);
  const layers = layersFromManifest(readJson(path.join(layout, manifest), layout), layout);
  return existing(layout, layers);
}

/** The layer files of a `docker save` archive, unpacked into `scratch` first. */
export async function dockerArchiveLayers(archive: string, scratch: string, signal?: AbortSignal): Promise<string[]> {
  fs.mkdirSync(scratch, { recursive: true });
  await untar(archive, scratch, `${archive} is not a readable docker archive`, signal);
  const manifest = path.join(scratch, 'manifest.json');
  if (!fs.existsSync(manifest)) throw new UserError(`${archive} has no manifest.json: give an archive made by 'docker save IMAGE'`);
  return existing(archive, layersFromDockerManifest(readJson(manifest, archive), archive), scratch);
}

function existing(source: string, layers: LayerRef[], root = source): string[] {
  return layers.map((layer) => {
    const file = path.join(root, layer.path);
    if (!fs.existsSync(file)) throw new UserError(`${source} lacks its layer ${layer.path}: copy the image again, it is incomplete`);
    return file;
  });
}

function readJson(file: string, source: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new UserError(`${source}: ${path.basename(file)} is not readable JSON: give an OCI image layout or archive`);
  }
}

/**
 * Applies layers in order onto `root`: each is unpacked alone (so its whiteouts can be told from its files),
 * its whiteouts delete from what lower layers left in `root`, then it is merged in, files replacing files.
 */
export async function applyLayers(layers: readonly string[], root: string, scratch: string, signal?: AbortSignal): Promise<void> {
  fs.mkdirSync(root, { recursive: true });
  for (const [i, layer] of layers.entries()) {
    const dir = path.join(scratch, `layer-${i + 1}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    await untar(layer, dir, `layer ${i + 1} (${path.basename(layer)}) is not a readable tar layer`, signal);
    applyWhiteouts(dir, root, '');
    // -I: a file of the same size and time in a lower layer is still replaced.
    const argv = buildRsyncArgv({ source: `${dir}/`, destination: `${root}/`, preserveAll: true });
    argv.splice(1, 0, '--ignore-times', '--force');
    await run(argv, { signal });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function applyWhiteouts(layerDir: string, root: string, rel: string): void {
  const here = path.join(layerDir, rel);
  const entries = fs.readdirSync(here, { withFileTypes: true });
  // Removing a marker touches its directory: the layer's own time stamp is put back below.
  const times = fs.lstatSync(here);
  let touched = false;
  for (const entry of entries) {
    const whiteout = whiteoutOf(entry.name);
    if (!whiteout) continue;
    const lower = path.join(root, rel);
    // Through a symlink a lower layer left (etc -> /etc) a whiteout would delete on the server itself.
    if (realDirectory(root, rel)) {
      if (whiteout.kind === 'opaque') for (const name of fs.readdirSync(lower)) fs.rmSync(path.join(lower, name), { recursive: true, force: true });
      else fs.rmSync(path.join(lower, whiteout.name), { recursive: true, force: true });
    }
    fs.rmSync(path.join(here, entry.name), { force: true });
    touched = true;
  }
  if (touched) fs.utimesSync(here, times.atime, times.mtime);
  for (const entry of entries) if (entry.isDirectory() && !whiteoutOf(entry.name)) applyWhiteouts(layerDir, root, path.join(rel, entry.name));
}

/** Whether root/rel is a directory reached through directories only (no symlink on the way). */
function realDirectory(root: string, rel: string): boolean {
  let at = root;
  for (const part of rel.split(path.sep).filter(Boolean)) {
    at = path.join(at, part);
    try {
      if (!fs.lstatSync(at).isDirectory()) return false;
    } catch {
      return false;
    }
  }
  return true;
}

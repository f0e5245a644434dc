import { UserError } from '../errors.js';
import type { Compression } from './archive-plans.js';

/**
 * Pure reading of OCI image layouts (index.json -> manifest -> layers) and of `docker save` archives
 * (manifest.json -> layer files), and the meaning of whiteout names. The infra side reads the files.
 */

export interface LayerRef {
  /** Path relative to the layout or archive root. */
  path: string;
  compression: Compression;
}

const DIGEST = /^sha256:([0-9a-f]{64})$/;

function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UserError(`${what} is not a JSON object: give an OCI image layout or archive`);
  return value as Record<string, unknown>;
}

export function blobPath(digest: unknown, what: string): string {
  const match = typeof digest === 'string' ? DIGEST.exec(digest) : null;
  if (!match) throw new UserError(`${what} has no valid sha256 digest: give an OCI image layout made by skopeo, umoci or buildah`);
  return `blobs/sha256/${match[1]}`;
}

/** The manifest an index.json points at: the only one, or the one for linux/amd64. */
export function manifestFromIndex(json: unknown, source: string): string {
  const index = objectOf(json, `${source}/index.json`);
  const manifests = Array.isArray(index.manifests) ? index.manifests.map((m) => objectOf(m, `a manifest entry of ${source}/index.json`)) : [];
  if (manifests.length === 0) throw new UserError(`${source}/index.json lists no manifest: give an OCI image layout that holds one image`);
  const amd64 = manifests.filter((m) => {
    const platform = m.platform as { architecture?: string; os?: string } | undefined;
    return !platform || (platform.architecture === 'amd64' && platform.os === 'linux');
  });
  const chosen = manifests.length === 1 ? manifests[0] : amd64.length === 1 ? amd64[0] : undefined;
  if (!chosen) throw new UserError(`${source}/index.json lists ${manifests.length} manifests: give a layout that holds one image (skopeo copy one tag)`);
  if (chosen.mediaType === 'application/vnd.oci.image.index.v1+json') throw new UserError(`${source}: nested image indexes are not supported: copy one platform with skopeo first`);
  return blobPath(chosen.digest, `the manifest entry of ${source}/index.json`);
}

export function layersFromManifest(json: unknown, source: string): LayerRef[] {
  const manifest = objectOf(json, `the manifest of ${source}`);
  if (!Array.isArray(manifest.layers)) throw new UserError(`the manifest of ${source} lists no layers: give an image manifest, not an index`);
  return manifest.layers.map((raw, i) => {
    const layer = objectOf(raw, `layer ${i + 1} of ${source}`);
    return { path: blobPath(layer.digest, `layer ${i + 1} of ${source}`), compression: layerCompression(layer.mediaType, `layer ${i + 1} of ${source}`) };
  });
}

function layerCompression(mediaType: unknown, what: string): Compression {
  const type = String(mediaType);
  if (/\+zstd$/.test(type)) return 'zstd';
  if (/(\+gzip|\.tar\.gzip|rootfs\.diff\.tar\.gzip)$/.test(type)) return 'gzip';
  if (/(\.tar|layer\.v1\.tar)$/.test(type)) return 'none';
  throw new UserError(`${what} has media type ${JSON.stringify(type)}, which is not a tar layer: give a plain image (no artifacts, no encrypted layers)`);
}

/** `docker save`: manifest.json names the layer tars in order; each is found by tar's own detection. */
export function layersFromDockerManifest(json: unknown, source: string): LayerRef[] {
  const list = Array.isArray(json) ? json : [];
  if (list.length !== 1) throw new UserError(`${source}: manifest.json must describe exactly one image (it has ${list.length}): save one image with 'docker save IMAGE'`);
  const entry = objectOf(list[0], `${source} manifest.json`);
  const layers = Array.isArray(entry.Layers) ? entry.Layers : [];
  return layers.map((p, i) => {
    if (typeof p !== 'string' || p.startsWith('/') || p.split('/').includes('..')) throw new UserError(`${source}: layer ${i + 1} has an unsafe path ${JSON.stringify(p)}`);
    return { path: p, compression: 'none' as Compression };
  });
}

export type Whiteout = { kind: 'opaque' } | { kind: 'delete'; name: string } | null;

/** `.wh..wh..opq` empties its directory of lower layers' entries; `.wh.NAME` deletes NAME. */
export function whiteoutOf(name: string): Whiteout {
  if (name === '.wh..wh..opq') return { kind: 'opaque' };
  if (name.startsWith('.wh.') && name.length > 4) return { kind: 'delete', name: name.slice(4) };
  return null;
}

/**
 * .manifest.json of a scripts generation: every file mkautoinstallscript wrote, with the image it belongs
 * to, the sha256 of its content and of the inputs it was rendered from. A re-render keeps a file whose
 * inputs are unchanged (and which is still there, at its size), writes only content that changed, and
 * leaves out of the next generation the files of its image that no client needs any more. Files not in the
 * manifest are carried into the next generation as they are.
 */
export interface ManifestEntry {
  /** The image that generated it; '*' for files shared by every image (install.sh, the host table, hooks). */
  image: string;
  sha256: string;
  size: number;
  /** sha256 of everything it was rendered from. */
  inputs: string;
}

/** What planning asked of an image tree (`op:path`) and a digest of the answers; see recording-tree.ts. */
export interface TreeReads {
  keys: string[];
  hash: string;
}

export interface Manifest {
  format: 1;
  files: Record<string, ManifestEntry>;
  /** Per image. */
  trees: Record<string, TreeReads>;
  /** Per image: the generation id its master carries (see generations.ts). */
  masters: Record<string, string>;
}

export const MANIFEST_NAME = '.manifest.json';

export function emptyManifest(): Manifest {
  return { format: 1, files: {}, trees: {}, masters: {} };
}

/** A manifest from its text; anything unreadable counts as empty (then every file is rewritten once). */
export function parseManifest(text: string | undefined): Manifest {
  if (text === undefined) return emptyManifest();
  try {
    const value = JSON.parse(text) as Partial<Manifest>;
    if (value.format === 1 && value.files && typeof value.files === 'object') return { format: 1, files: value.files, trees: value.trees ?? {}, masters: value.masters ?? {} };
  } catch {
    // fall through
  }
  return emptyManifest();
}

/** Files of `image` in the manifest that this render does not produce. */
export function staleFiles({ manifest, image, produced }: { manifest: Manifest; image: string; produced: ReadonlySet<string> }): string[] {
  return Object.entries(manifest.files)
    .filter(([name, entry]) => entry.image === image && !produced.has(name))
    .map(([name]) => name)
    .sort();
}

export function formatManifest(manifest: Manifest): string {
  const files = Object.fromEntries(Object.entries(manifest.files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify({ format: 1, files, trees: manifest.trees, masters: manifest.masters })}\n`;
}

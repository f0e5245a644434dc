import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_NAME, formatManifest, parseManifest, type Manifest, type ManifestEntry } from '../../core/autoinstall/manifest.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { ScriptWriter } from './script-writer.js';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The scripts directory as mkautoinstallscript keeps it: files written only when they change (on a writer
 * thread, see script-writer.ts), tracked in a manifest that save() writes once every file is in place.
 */
export class ScriptFiles {
  readonly manifest: Manifest;
  private readonly writer: ScriptWriter;
  private readonly pending = new Map<string, { image: string; inputs: string }>();
  private readonly kept: string[] = [];
  private readonly removed: string[] = [];

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, MANIFEST_NAME);
    this.manifest = parseManifest(existsSync(path) ? readFileSync(path, 'utf8') : undefined);
    this.writer = new ScriptWriter(dir);
  }

  /** True when the file was rendered from these inputs and is still there at its size: nothing to do. */
  isCurrent(name: string, image: string, inputs: string): boolean {
    const entry = this.manifest.files[name];
    if (!entry || entry.image !== image || entry.inputs !== inputs) return false;
    try {
      return statSync(join(this.dir, name)).size === entry.size;
    } catch {
      return false;
    }
  }

  keep(name: string): void {
    this.kept.push(name);
  }

  /** Queues the content for an atomic write unless the file already holds it; save() records it in the manifest. */
  put(name: string, content: string, options: { image: string; inputs: string; mode: number }): void {
    const previous = this.manifest.files[name];
    if (previous && this.holds(name, previous, content)) {
      this.manifest.files[name] = { ...previous, image: options.image, inputs: options.inputs };
      this.kept.push(name);
      return;
    }
    this.pending.set(name, { image: options.image, inputs: options.inputs });
    this.writer.write({ name, content, mode: options.mode });
  }

  /** The manifest says the file was written with this content, and the file still holds it. */
  private holds(name: string, entry: ManifestEntry, content: string): boolean {
    // Sizes first: changed content mostly changes the size too, and then nothing is hashed or read.
    if (Buffer.byteLength(content) !== entry.size || sha256(content) !== entry.sha256) return false;
    try {
      return readFileSync(join(this.dir, name), 'utf8') === content;
    } catch {
      return false;
    }
  }

  remove(name: string): void {
    rmSync(join(this.dir, name), { force: true });
    delete this.manifest.files[name];
    this.removed.push(name);
  }

  /** Waits for every queued write, then writes the manifest. The lists come sorted by name. */
  async save(): Promise<{ written: string[]; unchanged: string[]; removed: string[] }> {
    const written: string[] = [];
    for (const result of await this.writer.finish()) {
      const { image, inputs } = this.pending.get(result.name) as { image: string; inputs: string };
      this.manifest.files[result.name] = { image, sha256: result.sha256, size: result.size, inputs };
      written.push(result.name);
    }
    writeFileAtomic(join(this.dir, MANIFEST_NAME), formatManifest(this.manifest));
    return { written: written.sort(), unchanged: [...this.kept].sort(), removed: [...this.removed].sort() };
  }

  /** Stops the writer thread after a failure: files already written stay, the manifest is not saved. */
  async abandon(): Promise<void> {
    await this.writer.close();
  }
}

/** Hook file names in a directory (regular files named NN...), or [] when it does not exist. */
export function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() || entry.isSymbolicLink())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

export function listDirectories(dir: string): Set<string> {
  try {
    return new Set(readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name));
  } catch {
    return new Set();
  }
}

/** sha256 over every template file (site copies and shipped), so that a changed template re-renders. */
export function fingerprintTemplates(dirs: readonly string[]): string {
  const hash = createHash('sha256');
  const walk = (dir: string, rel: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, `${rel}/${entry.name}`);
      else if (entry.name.endsWith('.hbs')) hash.update(`${rel}/${entry.name}\0${readFileSync(path, 'utf8')}\0`);
    }
  };
  for (const dir of dirs) {
    hash.update(`dir\0${dir}\0`);
    walk(dir, '');
  }
  return hash.digest('hex');
}

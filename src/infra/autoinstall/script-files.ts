import { createHash } from 'node:crypto';
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_NAME, formatManifest, parseManifest, type Manifest, type ManifestEntry } from '../../core/autoinstall/manifest.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { ScriptGenerations } from './script-generations.js';
import { ScriptWriter } from './script-writer.js';

export const sha256 = (content: string | Uint8Array) => createHash('sha256').update(content).digest('hex');

/** The manifest of a generation directory (empty when there is none). */
export function readManifest(dir: string | null): Manifest {
  return parseManifest(readManifestText(dir));
}

function readManifestText(dir: string | null): string | undefined {
  const path = dir === null ? undefined : join(dir, MANIFEST_NAME);
  return path !== undefined && existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** Size of a file in a directory, or undefined. */
export function sizeIn(dir: string | null, name: string): number | undefined {
  if (dir === null) return undefined;
  try {
    return statSync(join(dir, name)).size;
  } catch {
    return undefined;
  }
}

/** Directories of a generation that hold hook copies: made by ScriptGenerations.begin(); what else they hold is carried. */
const GENERATED_DIRS = new Set(['pre-install', 'post-install']);

/**
 * The files of the next scripts generation. The served one is read (its manifest, its files); what changed
 * is written into the next one on a writer thread (see script-writer.ts); save() hard-links every other
 * file over from the served one, writes the manifest, and switches. A render that changes no file makes
 * no generation (and costs no link).
 */
export class ScriptFiles {
  readonly manifest: Manifest;
  private readonly served: string | null;
  private writer: ScriptWriter | undefined;
  private readonly pending = new Map<string, { image: string; inputs: string }>();
  private readonly kept: string[] = [];
  private readonly removed = new Set<string>();
  private readonly manifestBefore: string;

  constructor(private readonly generations: ScriptGenerations) {
    this.served = generations.current;
    // The text as read: a render that changes nothing compares against it and leaves the file alone.
    this.manifestBefore = readManifestText(this.served) ?? '';
    this.manifest = parseManifest(this.manifestBefore || undefined);
  }

  sizeOf(name: string): number | undefined {
    return sizeIn(this.served, name);
  }

  /** The served file's content, or undefined. */
  read(name: string): string | undefined {
    try {
      return this.served === null ? undefined : readFileSync(join(this.served, name), 'utf8');
    } catch {
      return undefined;
    }
  }

  keep(name: string): void {
    this.kept.push(name);
  }

  /** Queues the content for the next generation unless the served file already holds it (then it is linked). */
  put(name: string, content: string | Uint8Array, options: { image: string; inputs: string; mode: number }): void {
    const previous = this.manifest.files[name];
    if (previous && this.holds(name, previous, content)) {
      this.manifest.files[name] = { ...previous, image: options.image, inputs: options.inputs };
      this.kept.push(name);
      return;
    }
    this.pending.set(name, { image: options.image, inputs: options.inputs });
    this.writer ??= new ScriptWriter(this.generations.begin());
    this.writer.write({ name, content, mode: options.mode });
  }

  /** The manifest says the file was written with this content, and the served file still holds it. */
  private holds(name: string, entry: ManifestEntry, content: string | Uint8Array): boolean {
    // Sizes first: changed content mostly changes the size too, and then nothing is hashed or read.
    if (Buffer.byteLength(content) !== entry.size || sha256(content) !== entry.sha256) return false;
    try {
      return this.served !== null && readFileSync(join(this.served, name)).equals(typeof content === 'string' ? Buffer.from(content) : content);
    } catch {
      return false;
    }
  }

  /** Leaves the file out of the next generation. */
  remove(name: string): void {
    delete this.manifest.files[name];
    this.removed.add(name);
  }

  /**
   * Completes the next generation and switches to it, when any file changed; otherwise only a changed
   * manifest is replaced in the served generation. The lists come sorted by name.
   */
  async save(): Promise<{ written: string[]; unchanged: string[]; removed: string[]; generation: number | null }> {
    const changed = this.pending.size > 0 || this.removed.size > 0;
    const lists = () => ({ unchanged: [...this.kept].sort(), removed: [...this.removed].sort() });
    if (!changed) {
      const text = formatManifest(this.manifest);
      if (this.served !== null && text !== this.manifestBefore) writeFileAtomic(join(this.served, MANIFEST_NAME), text);
      return { written: [], ...lists(), generation: this.generations.currentNumber };
    }
    const dir = this.generations.begin();
    // The writer thread goes on writing while this thread links the rest.
    this.carryOver(dir);
    const written: string[] = [];
    for (const result of (await this.writer?.finish()) ?? []) {
      const { image, inputs } = this.pending.get(result.name) as { image: string; inputs: string };
      this.manifest.files[result.name] = { image, sha256: result.sha256, size: result.size, inputs };
      written.push(result.name);
    }
    writeFileAtomic(join(dir, MANIFEST_NAME), formatManifest(this.manifest));
    const generation = this.generations.publish();
    return { written: written.sort(), ...lists(), generation };
  }

  /** Hard-links into `dir` every manifest file not rewritten, and whatever else the served generation holds. */
  private carryOver(dir: string): void {
    if (this.served === null) return;
    for (const name of Object.keys(this.manifest.files)) {
      if (this.pending.has(name)) continue;
      try {
        linkSync(join(this.served, name), join(dir, name));
      } catch {
        // Gone from the served generation (removed by hand): the next render of its image writes it again.
        delete this.manifest.files[name];
      }
    }
    const carry = (name: string) => {
      if (name === MANIFEST_NAME || this.manifest.files[name] || this.pending.has(name) || this.removed.has(name)) return;
      if (GENERATED_DIRS.has(name)) for (const inner of readdirSync(join(this.served as string, name))) carry(`${name}/${inner}`);
      else linkTree(join(this.served as string, name), join(dir, name));
    };
    for (const name of readdirSync(this.served)) carry(name);
  }

  /** Stops the writer thread and removes the half-built generation after a failure; the served one stays. */
  async abandon(): Promise<void> {
    await this.writer?.close();
    this.generations.abandon();
  }
}

/** A file the site put in scripts/ by hand (not sisuite's): hard links for files, a copy of the structure for the rest. */
function linkTree(from: string, to: string): void {
  const stat = lstatSync(from);
  if (stat.isDirectory()) {
    mkdirSync(to, { mode: stat.mode & 0o7777 });
    for (const name of readdirSync(from)) linkTree(join(from, name), join(to, name));
  } else if (stat.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
  else linkSync(from, to);
}

/** Regular files (and links) in a directory, by name, or [] when it does not exist. */
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

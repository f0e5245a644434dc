import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_NAME, formatManifest, parseManifest, type Manifest, type ManifestEntry } from '../../core/autoinstall/manifest.js';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The scripts directory as mkautoinstallscript keeps it: files written only when they change, tracked in a manifest. */
export class ScriptFiles {
  readonly manifest: Manifest;
  readonly written: string[] = [];
  readonly unchanged: string[] = [];
  readonly removed: string[] = [];

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, MANIFEST_NAME);
    this.manifest = parseManifest(existsSync(path) ? readFileSync(path, 'utf8') : undefined);
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
    this.unchanged.push(name);
  }

  /** Writes the content atomically unless the file already holds it; records it in the manifest. */
  put(name: string, content: string, options: { image: string; inputs: string; mode: number }): void {
    const digest = sha256(content);
    const size = Buffer.byteLength(content);
    const previous = this.manifest.files[name];
    const path = join(this.dir, name);
    const same = previous?.sha256 === digest && previous.size === size && fileHas(path, size, content);
    const entry: ManifestEntry = { image: options.image, sha256: digest, size, inputs: options.inputs };
    this.manifest.files[name] = entry;
    if (same) {
      this.unchanged.push(name);
      return;
    }
    const temp = join(this.dir, `.${name}.si-new`);
    writeFileSync(temp, content, { mode: options.mode });
    renameSync(temp, path);
    this.written.push(name);
  }

  remove(name: string): void {
    rmSync(join(this.dir, name), { force: true });
    delete this.manifest.files[name];
    this.removed.push(name);
  }

  save(): void {
    const temp = join(this.dir, `.${MANIFEST_NAME}.si-new`);
    writeFileSync(temp, formatManifest(this.manifest));
    renameSync(temp, join(this.dir, MANIFEST_NAME));
  }
}

function fileHas(path: string, size: number, content: string): boolean {
  try {
    return statSync(path).size === size && readFileSync(path, 'utf8') === content;
  } catch {
    return false;
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

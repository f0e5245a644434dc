import fs from 'node:fs';
import path from 'node:path';
import {
  currentGeneration,
  generationLinkTarget,
  generationsToRemove,
  GENERATIONS_DIR,
  LOCK_NAME,
  nextGeneration,
  partialName,
} from '../../core/autoinstall/generations.js';
import { UserError } from '../../core/errors.js';
import type { HomePaths } from '../../core/home.js';
import { readLinkOrNull, removeTree, switchLink } from '../images/tree-ops.js';
import { takeScriptsLock } from './scripts-lock.js';

/** The generation the daemon serves now, read without a lock (for --dry-run): its directory, or null. */
export function servedDirectory(paths: HomePaths): string | null {
  try {
    return fs.realpathSync(paths.scripts);
  } catch {
    return null;
  }
}

/**
 * scripts/ as a sequence of generations (see core/autoinstall/generations.ts), held by one render at a time.
 * open() takes the lock, turns a scripts/ directory of an older sisuite into the first generation, and
 * removes what killed renders left; begin() makes the directory of the next generation; publish() completes
 * it, switches scripts/ to it with one rename, and removes generations older than the one before it.
 */
export class ScriptGenerations {
  private partial: { number: number; dir: string } | undefined;

  private constructor(
    readonly paths: HomePaths,
    readonly root: string,
    /** The directory scripts/ points at, or null before the first render. */
    readonly current: string | null,
    readonly currentNumber: number | null,
    private readonly release: () => void,
  ) {}

  static async open(paths: HomePaths): Promise<ScriptGenerations> {
    // Beside scripts/, so that the link's relative target holds wherever the home is.
    const root = path.join(path.dirname(paths.scripts), GENERATIONS_DIR);
    fs.mkdirSync(root, { recursive: true });
    const release = await takeScriptsLock(path.join(root, LOCK_NAME));
    try {
      const number = adoptScriptsDirectory(paths, root);
      const generations = new ScriptGenerations(paths, root, number === null ? null : path.join(root, String(number)), number, release);
      generations.removeOld(number);
      return generations;
    } catch (error) {
      release();
      throw error;
    }
  }

  /** The directory of the next generation, empty but for the hook directories; made on the first call. */
  begin(): string {
    if (!this.partial) {
      const number = nextGeneration(fs.readdirSync(this.root));
      const dir = path.join(this.root, partialName(number));
      fs.mkdirSync(path.join(dir, 'pre-install'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'post-install'));
      this.partial = { number, dir };
    }
    return this.partial.dir;
  }

  get building(): string | undefined {
    return this.partial?.dir;
  }

  /** Makes the next generation the one served (rename, then switch the link) and returns its number. */
  publish(): number {
    const partial = this.partial;
    if (!partial) throw new Error('publish() before begin()');
    fs.renameSync(partial.dir, path.join(this.root, String(partial.number)));
    this.partial = undefined;
    switchLink(this.paths.scripts, generationLinkTarget(partial.number));
    this.removeOld(partial.number);
    return partial.number;
  }

  /** After a failure: the half-built generation goes, the served one stays. */
  abandon(): void {
    if (this.partial) removeTree(this.partial.dir);
    this.partial = undefined;
  }

  close(): void {
    this.release();
  }

  private removeOld(current: number | null): void {
    for (const name of generationsToRemove({ names: fs.readdirSync(this.root), current })) removeTree(path.join(this.root, name));
  }
}

/**
 * The number of the generation scripts/ points at. A scripts/ directory (written in place by an older sisuite,
 * or made empty by si rsyncd) becomes generation N by a rename; scripts/ is missing for that instant only.
 */
function adoptScriptsDirectory(paths: HomePaths, root: string): number | null {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(paths.scripts);
  } catch {
    return null;
  }
  if (stat.isSymbolicLink()) {
    const target = readLinkOrNull(paths.scripts);
    const number = currentGeneration(target);
    if (number === null || !fs.existsSync(path.join(root, String(number)))) {
      throw new UserError(`${paths.scripts} points at ${target ?? '?'}, not at a generation under ${root}: remove the link and run si mkautoinstallscript again`);
    }
    return number;
  }
  if (!stat.isDirectory()) throw new UserError(`${paths.scripts} is not a directory or a link: move it away and run si mkautoinstallscript again`);
  const number = nextGeneration(fs.readdirSync(root));
  fs.renameSync(paths.scripts, path.join(root, String(number)));
  switchLink(paths.scripts, generationLinkTarget(number));
  return number;
}


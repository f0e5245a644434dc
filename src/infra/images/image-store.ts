import fs from 'node:fs';
import { InternalError, UserError } from '../../core/errors.js';
import { checkExistingName, checkName } from '../../core/names.js';
import { homePaths, imageLink, imageLinkTarget, incomingDir, versionDir, type HomePaths } from '../../core/home.js';
import { planGc, planRollback, requireVersion } from '../../core/images/version-plans.js';
import { openDatabase, type Db, type OpenOptions } from '../db/database.js';
import { sqliteFault } from '../db/registry-errors.js';
import { ImageRegistry } from '../db/image-registry.js';
import { ClientRegistry } from '../db/client-registry.js';
import type { ImageRow, VersionRow } from '../../core/registry/image-records.js';
import type { ClientStore } from '../../core/registry/client-store.js';
import { lockImage } from './image-lock.js';
import { readLinkOrNull, removeTree, switchLink } from './tree-ops.js';

/** What `si image rm` removes (or, with --dry-run, would remove). */
export interface RemovalPlan {
  image: string;
  /** False: only leftovers of failed or interrupted work, no registry row. */
  registered: boolean;
  versions: number[];
  paths: string[];
}

/** Entries of versions/NAME other than the lock: a partial copy, trees a crash left before their commit. */
function listLeftovers(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((entry) => entry !== '.lock').sort();
  } catch {
    return [];
  }
}

/**
 * The image store: registry rows and version trees kept in step. Every change writes new state
 * first and then switches (a rename or a symlink), so an interruption leaves the old state whole.
 */
export class ImageStore {
  readonly registry: ImageRegistry;
  /** Clients, groups and install layouts: the one way commands reach them. */
  readonly clients: ClientStore;

  private constructor(
    readonly paths: HomePaths,
    readonly db: Db,
  ) {
    this.registry = new ImageRegistry(db);
    this.clients = new ClientRegistry(db);
  }

  /** Opens the home's registry (see OpenOptions: by default a missing one is started, for tests and tools). */
  static open(home: string, options: OpenOptions = {}): ImageStore {
    const paths = homePaths(home);
    const store = new ImageStore(paths, openDatabase(paths.database, options));
    try {
      store.repairLinks();
    } catch (error) {
      store.close();
      throw sqliteFault(error, paths.database) ?? error;
    }
    return store;
  }

  close(): void {
    this.db.close();
  }

  requireImage(name: string): ImageRow {
    checkExistingName('image', name);
    const image = this.registry.findImage(name);
    if (!image) throw new UserError(`no image named ${name}: see 'si image list', or capture it with 'si getimage'`);
    return image;
  }

  requireVersion(name: string, number: number): VersionRow {
    const numbers = this.registry.listVersions(name).map((v) => v.number);
    requireVersion(name, numbers, number);
    return this.registry.findVersion(name, number) as VersionRow;
  }

  currentVersion(name: string): VersionRow | null {
    const image = this.requireImage(name);
    return image.currentVersion === null ? null : (this.registry.findVersion(name, image.currentVersion) ?? null);
  }

  versionPath(name: string, number: number): string {
    return versionDir(this.paths, name, number);
  }

  /** Takes the image's write lock; the caller releases it. */
  lock(name: string): () => void {
    return lockImage(this.paths.versions, name);
  }

  incomingPath(name: string): string {
    return incomingDir(this.paths, name);
  }

  /**
   * Turns a completed `.incoming` tree into the next version: renamed to its number, recorded, and
   * made current by switching images/NAME. Caller holds the lock.
   */
  commitIncoming(row: Omit<VersionRow, 'number'> & { origin: string }): VersionRow {
    const last = this.registry.findImage(row.image)?.lastVersion ?? 0;
    const number = last + 1;
    const target = this.versionPath(row.image, number);
    // A tree under that number without a registry row is left over from a crash between rename and commit.
    removeTree(target);
    fs.renameSync(this.incomingPath(row.image), target);
    const version: VersionRow = { ...row, number };
    this.db.transaction(() => {
      // The image lock makes this the number computed above; anything else is a bug, and rolls back.
      const advanced = this.registry.advanceLastVersion(row.image, row.origin, row.createdAt);
      if (advanced !== number) throw new InternalError(`version ${advanced} of ${row.image} recorded where ${number} was written`);
      this.registry.commitVersion(version);
    })();
    switchLink(imageLink(this.paths, row.image), imageLinkTarget(row.image, number));
    return version;
  }

  rollback(name: string, target?: number): { from: number | null; to: number } {
    const image = this.requireImage(name);
    const numbers = this.registry.listVersions(name).map((v) => v.number);
    const to = planRollback({ image: name, numbers, current: image.currentVersion, target });
    const release = this.lock(name);
    try {
      this.registry.setCurrent(name, to, new Date().toISOString());
      switchLink(imageLink(this.paths, name), imageLinkTarget(name, to));
    } finally {
      release();
    }
    return { from: image.currentVersion, to };
  }

  /** Which versions `gc --keep` removes; with dryRun nothing is removed. */
  gc(name: string, keep: number, options: { dryRun?: boolean } = {}): number[] {
    const image = this.requireImage(name);
    const numbers = this.registry.listVersions(name).map((v) => v.number);
    const doomed = planGc({ numbers, current: image.currentVersion, keep });
    if (options.dryRun) return doomed;
    const release = this.lock(name);
    try {
      for (const number of doomed) {
        this.registry.deleteVersion(name, number);
        removeTree(this.versionPath(name, number));
      }
    } finally {
      release();
    }
    return doomed;
  }

  /**
   * si image rm: the image, its versions and link; or, for a name with no registry row, what failed or
   * interrupted work left under versions/NAME (a partial copy). With dryRun nothing is removed.
   */
  remove(name: string, options: { dryRun?: boolean } = {}): RemovalPlan {
    checkName('image', name);
    const dir = `${this.paths.versions}/${name}`;
    if (!this.registry.findImage(name)) {
      const leftovers = listLeftovers(dir);
      if (leftovers.length === 0) this.requireImage(name);
      if (!options.dryRun) this.removeLeftovers(name, dir);
      return { image: name, registered: false, versions: [], paths: leftovers.map((entry) => `${dir}/${entry}`) };
    }
    const users = this.db.prepare('SELECT hostname FROM clients WHERE image = ? UNION ALL SELECT name FROM groups WHERE image = ?').all(name, name) as { hostname: string }[];
    if (users.length > 0) {
      throw new UserError(`image ${name} is used by ${users.length} clients or groups (${users[0]?.hostname}...): point them at another image with 'si client set' first`);
    }
    const plan: RemovalPlan = { image: name, registered: true, versions: this.registry.listVersions(name).map((v) => v.number), paths: [imageLink(this.paths, name), dir] };
    if (options.dryRun) return plan;
    const release = this.lock(name);
    try {
      this.registry.deleteImage(name);
      fs.rmSync(imageLink(this.paths, name), { force: true });
    } finally {
      release();
    }
    removeTree(dir);
    return plan;
  }

  /**
   * Drops a partial copy that is not to be resumed (a full disk, a refused or failed build). Caller holds the
   * lock; releasing it removes the image's directory if that leaves it empty.
   */
  discardIncoming(name: string): void {
    removeTree(this.incomingPath(name));
  }

  private removeLeftovers(name: string, dir: string): void {
    const release = this.lock(name);
    try {
      for (const entry of listLeftovers(dir)) removeTree(`${dir}/${entry}`);
    } finally {
      release();
    }
  }

  /** Renames an image: its versions directory, its link and its rows. */
  move(from: string, to: string): void {
    checkName('image', to);
    if (from === to) throw new UserError(`the source and destination are both ${from}: give a new name for the image`);
    const image = this.requireImage(from);
    this.refuseExisting(to);
    const release = this.lock(from);
    try {
      fs.renameSync(`${this.paths.versions}/${from}`, `${this.paths.versions}/${to}`);
      this.registry.renameImage(from, to, new Date().toISOString());
      if (image.currentVersion !== null) switchLink(imageLink(this.paths, to), imageLinkTarget(to, image.currentVersion));
      fs.rmSync(imageLink(this.paths, from), { force: true });
    } finally {
      fs.rmSync(`${this.paths.versions}/${to}/.lock`, { force: true });
      release();
    }
  }

  refuseExisting(name: string): void {
    checkName('image', name);
    if (this.registry.findImage(name)) throw new UserError(`an image named ${name} exists already: choose another name or 'si image rm ${name}' first`);
  }

  /** images/NAME follows the registry: a switch interrupted after the commit is finished here. */
  private repairLinks(): void {
    for (const image of this.registry.listImages()) {
      if (image.currentVersion === null) continue;
      const want = imageLinkTarget(image.name, image.currentVersion);
      if (readLinkOrNull(imageLink(this.paths, image.name)) !== want) switchLink(imageLink(this.paths, image.name), want);
    }
  }
}

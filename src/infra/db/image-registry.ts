import type { Db } from './database.js';
import { immediate } from './write-transaction.js';
import { UserError } from '../../core/errors.js';
import type { CapturedLayout } from '../../core/layout/captured.js';
import type { ImageRow, VersionRow } from '../../core/registry/image-records.js';

// The record types live in core; re-exported for modules that still import them from here.
export type { ImageRow, VersionRow };

interface RawVersion {
  image: string;
  number: number;
  created_at: string;
  source: string;
  size_bytes: number;
  file_count: number;
  layout: string | null;
  excludes: string;
  note: string;
}

interface RawImage {
  name: string;
  current_version: number | null;
  last_version: number;
  origin: string;
  created_at: string;
  updated_at: string;
}

const toImage = (r: RawImage): ImageRow => ({
  name: r.name,
  currentVersion: r.current_version,
  lastVersion: r.last_version,
  origin: r.origin,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toVersion = (r: RawVersion): VersionRow => ({
  image: r.image,
  number: r.number,
  createdAt: r.created_at,
  source: r.source,
  sizeBytes: r.size_bytes,
  fileCount: r.file_count,
  layout: r.layout ? (JSON.parse(r.layout) as CapturedLayout) : null,
  excludes: JSON.parse(r.excludes) as string[],
  note: r.note,
});

/** Typed access to the images and versions tables. Callers group writes in `db.transaction`. */
export class ImageRegistry {
  constructor(readonly db: Db) {}

  listImages(): ImageRow[] {
    return (this.db.prepare('SELECT * FROM images ORDER BY name').all() as RawImage[]).map(toImage);
  }

  findImage(name: string): ImageRow | undefined {
    const row = this.db.prepare('SELECT * FROM images WHERE name = ?').get(name) as RawImage | undefined;
    return row && toImage(row);
  }

  listVersions(image: string): VersionRow[] {
    return (this.db.prepare('SELECT * FROM versions WHERE image = ? ORDER BY number').all(image) as RawVersion[]).map(toVersion);
  }

  findVersion(image: string, number: number): VersionRow | undefined {
    const row = this.db.prepare('SELECT * FROM versions WHERE image = ? AND number = ?').get(image, number) as RawVersion | undefined;
    return row && toVersion(row);
  }

  /** Creates the image row if needed and advances its last version number (never reused, even after gc). */
  advanceLastVersion(image: string, origin: string, now: string): number {
    return this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO images (name, current_version, last_version, origin, created_at, updated_at) VALUES (?, NULL, 0, ?, ?, ?) ON CONFLICT(name) DO NOTHING')
        .run(image, origin, now, now);
      this.db.prepare('UPDATE images SET last_version = last_version + 1 WHERE name = ?').run(image);
      return (this.db.prepare('SELECT last_version FROM images WHERE name = ?').get(image) as { last_version: number }).last_version;
    })();
  }

  /** Records a completed version and makes it current, in one transaction. */
  commitVersion(version: VersionRow): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT INTO versions (image, number, created_at, source, size_bytes, file_count, layout, excludes, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          version.image,
          version.number,
          version.createdAt,
          version.source,
          version.sizeBytes,
          version.fileCount,
          version.layout ? JSON.stringify(version.layout) : null,
          JSON.stringify(version.excludes),
          version.note,
        );
      this.setCurrent(version.image, version.number, version.createdAt);
    })();
  }

  setCurrent(image: string, number: number, now: string): void {
    this.db.prepare('UPDATE images SET current_version = ?, updated_at = ? WHERE name = ?').run(number, now, image);
  }

  deleteVersion(image: string, number: number): void {
    this.db.prepare('DELETE FROM versions WHERE image = ? AND number = ?').run(image, number);
  }

  /** Checked and deleted in one immediate transaction: no client or group can take the image in between. */
  deleteImage(image: string): void {
    immediate(this.db, () => {
      const users = this.db.prepare('SELECT hostname FROM clients WHERE image = ? UNION ALL SELECT name FROM groups WHERE image = ?').all(image, image) as { hostname: string }[];
      if (users.length > 0) {
        throw new UserError(`image ${image} is used by ${users.length} clients or groups (${users[0]?.hostname}...): point them at another image with 'si client set' first`);
      }
      this.db.prepare('DELETE FROM images WHERE name = ?').run(image);
    });
  }

  /** Versions follow through ON UPDATE CASCADE. */
  renameImage(from: string, to: string, now: string): void {
    this.db.prepare('UPDATE images SET name = ?, updated_at = ? WHERE name = ?').run(to, now, from);
  }

  /** The whole registry as plain data: tests compare dumps before and after a refused command. */
  dump(): { images: ImageRow[]; versions: VersionRow[] } {
    const versions = (this.db.prepare('SELECT * FROM versions ORDER BY image, number').all() as RawVersion[]).map(toVersion);
    return { images: this.listImages(), versions };
  }
}

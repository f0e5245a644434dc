/**
 * Schema migrations, applied in order and recorded in PRAGMA user_version.
 * Never edit a released migration: add the next one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'images and versions',
    sql: `
      CREATE TABLE images (
        name TEXT PRIMARY KEY,
        current_version INTEGER,
        last_version INTEGER NOT NULL DEFAULT 0,
        origin TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE versions (
        image TEXT NOT NULL REFERENCES images(name) ON DELETE CASCADE ON UPDATE CASCADE,
        number INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        source TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        file_count INTEGER NOT NULL,
        layout TEXT,
        excludes TEXT NOT NULL DEFAULT '[]',
        note TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (image, number)
      );
    `,
  },
];

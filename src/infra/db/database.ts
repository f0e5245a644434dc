import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.js';
import { UserError } from '../../core/errors.js';
import { accessFault, registryFault, RESTORE, spaceFault } from './registry-errors.js';
import { inspectRegistryFile } from './registry-file.js';

export type Db = Database.Database;

export interface OpenOptions {
  /** Start a registry where there is none (no file, or a zero-length one); otherwise refuse and create nothing. */
  create?: boolean;
  /** Where there is no registry and `create` is off: an empty one in memory instead of a refusal (a dry run's plan). */
  emptyWhenMissing?: boolean;
  /** Run PRAGMA quick_check before anything reads or writes (default; see docs/decisions.md for what it costs). */
  check?: boolean;
  /** How long a write waits for another process's lock before giving up. */
  busyTimeoutMs?: number;
  /** Told the registry's path when this open started a new registry. */
  onCreate?: (file: string) => void;
  migrations?: readonly Migration[];
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens the registry and brings its schema up to date. Whatever goes wrong is one line (a UserError), and
 * leaves the file and the directory as they were: a registry this open started is removed again.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const { create = true, check = true, busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS, migrations = MIGRATIONS } = options;
  const state = inspectRegistryFile(file);
  if (state !== 'present' && !create && options.emptyWhenMissing) return emptyInMemory(migrations);
  if (state !== 'present' && !create) {
    const what = state === 'empty' ? ' (an empty file)' : '';
    throw new UserError(`no registry at ${file}${what}: check --home/SI_HOME, or start one with si getimage, si mkimage or si addclients`);
  }
  const madeDir = state === 'missing' ? makeHome(file) : undefined;
  // Refused before SQLite opens it: on a read-only file or a full disk it would leave -wal and -shm behind.
  const refused = (state === 'present' ? accessFault(file) : undefined) ?? spaceFault(file);
  if (refused) {
    if (madeDir) fs.rmSync(madeDir, { recursive: true, force: true });
    throw refused;
  }
  let db: Db | undefined;
  try {
    db = new Database(file, { fileMustExist: state === 'present' });
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    if (check && state === 'present') quickCheck(db, file);
    migrate(db, migrations);
  } catch (error) {
    db?.close();
    if (state !== 'present') undoCreate(file, state === 'empty', madeDir);
    throw registryFault(error, file) ?? error;
  }
  if (state !== 'present') options.onCreate?.(file);
  return db;
}

function emptyInMemory(migrations: readonly Migration[]): Db {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations);
  return db;
}

function makeHome(file: string): string | undefined {
  try {
    return fs.mkdirSync(path.dirname(file), { recursive: true });
  } catch (error) {
    throw registryFault(error, file) ?? error;
  }
}

/**
 * Puts back what was there before a failed first open: nothing, or an empty file. Best effort: where
 * SQLite could not write (a read-only mount), there is nothing to put back, and the open's own error counts.
 */
function undoCreate(file: string, wasEmpty: boolean, madeDir: string | undefined): void {
  const attempt = (undo: () => void): void => {
    try {
      undo();
    } catch {
      // See above.
    }
  };
  for (const suffix of ['-wal', '-shm', '-journal']) attempt(() => fs.rmSync(`${file}${suffix}`, { force: true }));
  attempt(() => (wasEmpty ? fs.truncateSync(file, 0) : fs.rmSync(file, { force: true })));
  if (madeDir) attempt(() => fs.rmSync(madeDir, { recursive: true, force: true }));
}

function quickCheck(db: Db, file: string): void {
  const rows = db.pragma('quick_check(1)') as { quick_check: string }[];
  const first = rows[0]?.quick_check ?? 'no answer';
  if (first === 'ok') return;
  // SQLite's answer spans lines ("*** in database main ***\nTree 8 page 18: ..."): one line of it.
  const what = first.split('\n').filter((line) => line && !line.startsWith('***')).join(' ').slice(0, 120);
  throw new UserError(`the registry ${file} is damaged (${what}): ${RESTORE}`);
}

function migrate(db: Db, migrations: readonly Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new UserError(`the registry ${db.name} has schema version ${current}, newer than this si (${latest}): upgrade sisuite`);
  }
  for (const migration of migrations.filter((m) => m.version > current)) {
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

// The registry file looked at before SQLite opens it, and SQLite's result codes as one line each.
import { mkdirSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { openDatabase } from '../../../src/infra/db/database.js';
import { registryFault, sqliteFault } from '../../../src/infra/db/registry-errors.js';
import { inspectRegistryFile } from '../../../src/infra/db/registry-file.js';

describe('inspectRegistryFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'si-regfile-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function registry(rows: number): string {
    const file = join(dir, 'sisuite.db');
    const db = openDatabase(file);
    const insert = db.prepare("INSERT INTO images (name, origin, created_at, updated_at) VALUES (?, 'test', 'now', 'now')");
    for (let i = 0; i < rows; i++) insert.run(`image${i}-${'x'.repeat(60)}`);
    db.close();
    return file;
  }

  it('tells missing, empty and present apart', () => {
    const file = join(dir, 'sisuite.db');
    expect(inspectRegistryFile(file)).toBe('missing');
    writeFileSync(file, '');
    expect(inspectRegistryFile(file)).toBe('empty');
    rmSync(file);
    expect(inspectRegistryFile(registry(10))).toBe('present');
  });

  it('refuses a file cut anywhere: inside the magic, inside the header, after it', () => {
    const file = registry(2000);
    const size = statSync(file).size;
    for (const length of [size - 4096, 4096, 99, 7]) {
      truncateSync(file, length);
      expect(() => inspectRegistryFile(file), `cut to ${length}`).toThrow(/is truncated/);
    }
  });

  it('lets a short file pass while a WAL still holds its pages (a checkpoint cut short)', () => {
    const file = registry(2000);
    truncateSync(file, statSync(file).size - 4096);
    writeFileSync(`${file}-wal`, 'x');
    expect(inspectRegistryFile(file)).toBe('present');
  });

  it('refuses a text file, a directory and a home that is a file, and writes nothing', () => {
    const file = join(dir, 'sisuite.db');
    writeFileSync(file, 'SQLite is a database\n');
    expect(() => inspectRegistryFile(file)).toThrow(/not a sisuite registry/);
    rmSync(file);
    mkdirSync(file);
    expect(() => inspectRegistryFile(file)).toThrow(/is a directory, not a file/);
    const home = join(dir, 'home');
    writeFileSync(home, 'x');
    expect(() => inspectRegistryFile(join(home, 'sisuite.db'))).toThrow(/the home .* is a file, not a directory/);
    expect(() => inspectRegistryFile(join(home, 'sub', 'sisuite.db'))).toThrow(/is not a directory/);
    expect(readdirSync(dir).sort()).toEqual(['home', 'sisuite.db']);
  });

  it('a refused first open leaves no file and no directory behind', () => {
    const home = join(dir, 'new', 'home');
    expect(() => openDatabase(join(home, 'sisuite.db'), { create: false })).toThrow(/no registry at/);
    expect(existsSync(join(dir, 'new'))).toBe(false);
    // A schema newer than this si: the registry it had just started is removed again.
    expect(() => openDatabase(join(home, 'sisuite.db'), { migrations: [{ version: 1, name: 'bad', sql: 'CREATE TABLE x (;' }] })).toThrow();
    expect(existsSync(join(dir, 'new'))).toBe(false);
  });
});

describe('registryFault', () => {
  const file = '/srv/si/sisuite.db';
  const fault = (code: string) => registryFault(Object.assign(new Error('x'), { code }), file);

  it('maps every SQLite code a user can cause, extended codes included, to one line', () => {
    const cases: [string, RegExp][] = [
      ['SQLITE_NOTADB', /not a sisuite registry/],
      ['SQLITE_CORRUPT', /is damaged/],
      ['SQLITE_CORRUPT_INDEX', /is damaged/],
      ['SQLITE_BUSY', /is busy: another si held its write lock for over the busy timeout/],
      ['SQLITE_BUSY_SNAPSHOT', /is busy: another si held its write lock/],
      ['SQLITE_FULL', /no space left/],
      ['SQLITE_IOERR_WRITE', /input\/output error|no space left/],
      ['SQLITE_READONLY', /cannot be written|cannot open|no permission/],
      ['SQLITE_CANTOPEN', /cannot open|cannot be written|no permission/],
      ['ENOSPC', /no space left/],
      ['EROFS', /cannot be written/],
    ];
    for (const [code, message] of cases) {
      const error = fault(code);
      expect(error, code).toBeInstanceOf(UserError);
      expect(error?.message, code).toMatch(message);
      expect(error?.message, code).not.toMatch(/\n/);
    }
  });

  it('leaves bugs alone: a constraint, a misuse, a plain error', () => {
    expect(fault('SQLITE_CONSTRAINT_UNIQUE')).toBeUndefined();
    expect(fault('SQLITE_MISUSE')).toBeUndefined();
    expect(registryFault(new Error('boom'), file)).toBeUndefined();
  });

  it('sqliteFault maps only SQLite errors: an errno of another file is not the registry', () => {
    expect(sqliteFault(Object.assign(new Error('x'), { code: 'ENOSPC' }), file)).toBeUndefined();
    expect(sqliteFault(Object.assign(new Error('x'), { code: 'SQLITE_FULL' }), file)).toBeInstanceOf(UserError);
  });

  it('a real SQLite error carries the code it is mapped by', () => {
    const dir = mkdtempSync(join(tmpdir(), 'si-regfault-'));
    try {
      const text = join(dir, 'notes.db');
      writeFileSync(text, 'not a database at all, just some words that go on for a while\n'.repeat(10));
      let caught: unknown;
      try {
        new Database(text).pragma('journal_mode = WAL');
      } catch (error) {
        caught = error;
      }
      expect(registryFault(caught, text)?.message).toMatch(/not a sisuite registry/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

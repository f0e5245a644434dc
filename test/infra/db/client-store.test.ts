// The client store on a real SQLite file: lookups by host, MAC and IP, and the write transaction.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/infra/db/database.js';
import { ClientRegistry } from '../../../src/infra/db/client-registry.js';
import { ImageRegistry } from '../../../src/infra/db/image-registry.js';
import type { ClientStore } from '../../../src/core/registry/client-store.js';
import type { ClientRecord } from '../../../src/core/clients/client-record.js';

const NOW = '2026-01-01T00:00:00.000Z';

function client(hostname: string, ip: string, macs: string[]): ClientRecord {
  return { hostname, domain: null, ip, netmask: '255.255.255.0', gateway: null, dns: [], macs, image: 'rocky9', groups: [], overrides: [], bootMode: 'install', installState: 'new' };
}

describe('ClientStore on SQLite', () => {
  let dir: string;
  let db: Db;
  let store: ClientStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'si-store-'));
    db = openDatabase(join(dir, 'sisuite.db'));
    db.prepare("INSERT INTO images (name, current_version, last_version, origin, created_at, updated_at) VALUES ('rocky9', NULL, 0, 'test', ?, ?)").run(NOW, NOW);
    store = new ClientRegistry(db);
    store.saveClients([client('node001', '10.0.0.1', ['52:54:00:00:00:01', '52:54:00:00:01:01']), client('node002', '10.0.0.2', [])], NOW);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers who a MAC, an IP or a name is, and undefined for a stranger', () => {
    expect(store.findClientByMac('52:54:00:00:01:01')?.hostname).toBe('node001');
    expect(store.findClientByMac('52:54:00:00:01:01')?.macs).toEqual(['52:54:00:00:00:01', '52:54:00:00:01:01']);
    expect(store.findClientByIp('10.0.0.2')?.hostname).toBe('node002');
    expect(store.findClient('node002')?.ip).toBe('10.0.0.2');
    expect(store.findClientByMac('52:54:00:00:00:99')).toBeUndefined();
    expect(store.findClientByIp('10.0.0.9')).toBeUndefined();
    expect(store.findClient('node009')).toBeUndefined();
  });

  it('changes its change mark when another connection commits, not when nothing happens', () => {
    const mark = store.changeMark();
    expect(store.changeMark()).toBe(mark);
    const other = openDatabase(join(dir, 'sisuite.db'));
    try {
      new ClientRegistry(other).deleteClients(['node002']);
    } finally {
      other.close();
    }
    expect(store.changeMark()).not.toBe(mark);
    expect(store.findClient('node002')).toBeUndefined();
  });

  it('checks that no client uses an image and deletes it in one transaction', () => {
    expect(() => new ImageRegistry(db).deleteImage('rocky9')).toThrow(/^image rocky9 is used by 2 clients or groups \(node001\.\.\.\)/);
    expect(new ImageRegistry(db).findImage('rocky9')?.name).toBe('rocky9');
    store.deleteClients(['node001', 'node002']);
    new ImageRegistry(db).deleteImage('rocky9');
    expect(new ImageRegistry(db).findImage('rocky9')).toBeUndefined();
  });

  it('a write lock another connection holds past the busy timeout is one line', () => {
    const other = openDatabase(join(dir, 'sisuite.db'));
    db.pragma('busy_timeout = 100');
    try {
      other.prepare('BEGIN IMMEDIATE').run();
      expect(() => store.writeTransaction(() => store.deleteClients(['node001']))).toThrow(/^the registry .*sisuite\.db is busy: another si held its write lock for over 0\.1 s/);
    } finally {
      other.close();
    }
    expect(store.findClient('node001')?.hostname).toBe('node001');
  });

  it('rolls a write transaction back whole when its work throws', () => {
    expect(() =>
      store.writeTransaction(() => {
        store.deleteClients(['node001']);
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(store.listClients().map((c) => c.hostname)).toEqual(['node001', 'node002']);
  });
});

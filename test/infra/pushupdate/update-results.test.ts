import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ImageStore } from '../../../src/infra/images/image-store.js';
import { lastUpdates, recordUpdates } from '../../../src/infra/pushupdate/update-results.js';

describe('update results in the registry', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('keeps one row per host and run; the newest, and the newest ok, come back; a removed host takes its rows with it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'si-upres-'));
    dirs.push(dir);
    const store = ImageStore.open(dir);
    try {
      store.db.prepare("INSERT INTO images (name, origin, created_at, updated_at) VALUES ('a', 'test', 't', 't')").run();
      for (const host of ['n1', 'n2']) {
        store.db.prepare("INSERT INTO clients (hostname, ip, netmask, image, created_at, updated_at) VALUES (?, ?, '255.255.255.0', 'a', 't', 't')").run(host, host === 'n1' ? '10.0.0.1' : '10.0.0.2');
      }
      const row = { image: 'a', files: 3, bytesReceived: 100, seconds: 1, reason: '' };
      recordUpdates(store.db, [{ host: 'n1', result: 'ok', version: '2', ...row }, { host: 'n9', result: 'ok', version: '2', ...row }, { host: 'n2', result: 'skipped', version: null, ...row }], '2026-01-01T00:00:00Z');
      recordUpdates(store.db, [{ host: 'n1', result: 'failed', version: '2', ...row, files: null, reason: 'no space' }], '2026-01-02T00:00:00Z');
      const n1 = lastUpdates(store.db, 'n1');
      expect(n1.last).toMatchObject({ result: 'failed', reason: 'no space', at: '2026-01-02T00:00:00Z' });
      expect(n1.lastOk).toMatchObject({ result: 'ok', version: '2', files: 3, bytesReceived: 100 });
      expect(lastUpdates(store.db, 'n2')).toEqual({ last: null, lastOk: null });
      store.db.prepare("DELETE FROM clients WHERE hostname = 'n1'").run();
      expect(store.db.prepare('SELECT count(*) AS n FROM client_updates').get()).toEqual({ n: 0 });
    } finally {
      store.close();
    }
  });
});

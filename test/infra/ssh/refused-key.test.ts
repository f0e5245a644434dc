// What a refused login tells the user to do, by where the key came from.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { refusedKeyMessage } from '../../../src/infra/ssh/refused-key.js';
import { ensureServerKey } from '../../../src/infra/ssh/key-files.js';
import { run } from '../../../src/infra/run.js';

describe('a refused login', () => {
  const dir = mkdtempSync(join(tmpdir(), 'si-refused-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const where = 'root@10.0.0.2';

  it("shows sisuite's own key whole, last on the line, with the file to put it in", async () => {
    const key = join(dir, 'home/ssh/id_ed25519');
    const { publicKey } = await ensureServerKey(key);
    expect(refusedKeyMessage(where, { user: 'root', keyPath: key, keyOrigin: 'server' })).toBe(
      `${where} refused sisuite's key ${key}: add this line (si key show prints it again) to /root/.ssh/authorized_keys on the golden client: ${publicKey}`,
    );
  });

  it('names the .pub of a key file, and the agent case points to si key show', async () => {
    const key = join(dir, 'mine');
    await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', key]);
    expect(refusedKeyMessage(where, { user: 'root', keyPath: key, keyOrigin: 'given' })).toBe(
      `${where} refused the key from ${key}: add ${key}.pub to /root/.ssh/authorized_keys on the golden client, or give another --ssh-key`,
    );
    expect(refusedKeyMessage('admin@gold', { user: 'admin', keyOrigin: 'agent' })).toBe(
      'admin@gold refused the keys from the ssh agent: add the line `si key show` prints to ~admin/.ssh/authorized_keys on the golden client, or give --ssh-key',
    );
  });
});

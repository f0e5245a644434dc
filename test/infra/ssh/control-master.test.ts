// ControlMaster against a real golden client: sessions share its login, close() leaves nothing behind.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from '../../world/netns.js';
import { minbaseTree } from '../../world/debootstrap-cache.js';
import { startGoldenClient, type GoldenClient } from '../../world/golden-client.js';
import { run } from '../../../src/infra/run.js';

const DRIVER = fileURLToPath(new URL('./control-master-driver.mjs', import.meta.url));

describe('ControlMaster', () => {
  let world: World;
  let golden: GoldenClient;
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'si-master-'));
    await minbaseTree(join(work, 'golden'));
    await writeFile(join(work, 'golden/etc/hostname'), 'golden-one\n');
    world = await createWorld({ prefix: 'sicm' });
    golden = await startGoldenClient({ ns: world.client, root: join(work, 'golden') });
  });

  afterAll(async () => {
    await golden?.stop();
    await world?.destroy();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('runs sessions and rsync through one login, refuses a wrong key, and leaves nothing when closed', async () => {
    const knownHostsFile = join(work, 'known_hosts');
    await writeFile(knownHostsFile, await readFile(golden.knownHostsPath));
    const otherKey = join(work, 'other_key');
    await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
    const [, otherBlob] = (await readFile(`${otherKey}.pub`, 'utf8')).split(' ');
    const sockets = await mkdtemp(join(work, 'tmp-'));
    const copyTo = join(work, 'copied-hostname');
    const request = {
      user: 'root',
      host: golden.host,
      transport: { port: golden.port, keyPath: golden.keyPath, knownHostsFile },
      otherKey,
      wrongKnownHosts: `${golden.host} ssh-ed25519 ${otherBlob}\n`,
      copyTo,
    };
    const { stdout } = await world.server.run(['env', `TMPDIR=${sockets}`, process.execPath, DRIVER, JSON.stringify(request)]);
    const report = JSON.parse(stdout) as Record<string, unknown>;

    expect(report.refused).toMatchObject({ name: 'MasterFailed', message: expect.stringMatching(/Permission denied/) });
    expect(report.socketMode).toBe('700');
    expect(report.hostname).toBe('golden-one\n');
    expect(report.missing).toBeNull();
    expect(report.words).toBe("a b|it's|$HOME|");
    expect(report.directExit).toBe(255);
    expect(report.throughMasterExit).toBe(0);
    expect(await readFile(copyTo, 'utf8')).toBe('golden-one\n');
    expect(report.socketDirLeft).toBe(false);
    expect(await readdir(sockets)).toEqual([]);
    expect(await world.server.processes()).toEqual([]);
  });
});

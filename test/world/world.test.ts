// The test world proves itself: namespaces, a golden client over ssh, rsync fidelity, digests, cleanup.
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/infra/run.js';
import { minbaseTree } from './debootstrap-cache.js';
import { compareDigests, treeDigest, type Digest } from './digest.js';
import { startGoldenClient, type GoldenClient } from './golden-client.js';
import { createWorld, type World } from './netns.js';
import { addSpecialFiles, SPECIAL } from './special-files.js';

const PREFIX = 'siw';
// Mount points inside the running golden client: their contents are not the tree's.
const notTree = (path: string): boolean => ['/proc', '/sys', '/run'].includes(path);

/** Whether pid is a live process (a zombie waiting for its reaper counts as gone). */
function isRunning(pid: number): boolean {
  const path = `/proc/${pid}/stat`;
  if (!existsSync(path)) return false;
  const state = readFileSync(path, 'utf8').replace(/^.*\) /s, '')[0];
  return state !== 'Z' && state !== 'X';
}

async function namespaceNames(): Promise<string[]> {
  const { stdout } = await run(['ip', 'netns', 'list']);
  return stdout.split('\n').map((line) => line.split(' ')[0] ?? '').filter(Boolean);
}

describe('test world', () => {
  let world: World | undefined;
  let golden: GoldenClient | undefined;
  let work = '';
  let root = '';
  let capture = '';

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'si-world-'));
    root = join(work, 'golden');
    capture = join(work, 'capture');
    world = await createWorld({ prefix: PREFIX });
    await minbaseTree(root);
    await addSpecialFiles(root);
    golden = await startGoldenClient({ ns: world.client, root });
  });

  afterAll(async () => {
    await golden?.stop();
    await world?.destroy();
    if (work) await rm(work, { recursive: true, force: true });
    const left = (await namespaceNames()).filter((name) => name.startsWith(`${PREFIX}-${process.pid}-`));
    expect(left).toEqual([]);
  });

  const ssh = (argv: string[], options: string[] = (golden as GoldenClient).sshOptions()) =>
    (world as World).server.run(['ssh', ...options, `root@${(golden as GoldenClient).host}`, ...argv], { timeout: 30_000 });

  it('joins server and client namespaces, which reach each other and nothing else', async () => {
    const { server, client } = world as World;
    expect(server.address).toMatch(/^10\.231\.\d+\.1$/);
    expect(client.address).toMatch(/^10\.231\.\d+\.2$/);
    expect(await namespaceNames()).toEqual(expect.arrayContaining([server.name, client.name]));
    await server.run(['busybox', 'ping', '-c', '1', '-W', '2', client.address]);
    await client.run(['busybox', 'ping', '-c', '1', '-W', '2', server.address]);
    // No default route: asking for a route out fails at once, and no packet leaves.
    await expect(client.run(['ip', 'route', 'get', '8.8.8.8'])).rejects.toThrow(/unreachable/i);
    await expect(server.run(['ip', 'route', 'get', '8.8.8.8'])).rejects.toThrow(/unreachable/i);
  });

  it('serves the golden client over ssh, its tree as / and / as a mount point', async () => {
    const relaxed = ['-i', (golden as GoldenClient).keyPath, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes'];
    await ssh(['true'], relaxed);
    const mounts = JSON.parse((await ssh(['findmnt', '--json'], relaxed)).stdout) as { filesystems: Array<{ target: string }> };
    expect(mounts.filesystems.map((fs) => fs.target)).toContain('/');
    expect((await ssh(['cat', SPECIAL.xattr])).stdout).toBe('has a user xattr\n');
    expect((golden as GoldenClient).hostPublicKeys.length).toBeGreaterThan(0);
  });

  it('carries every special file through rsync -aHAXS --numeric-ids over ssh: equal digests, sparse kept', async () => {
    await mkdir(capture);
    const remoteShell = ['ssh', ...(golden as GoldenClient).sshOptions()].join(' ');
    await (world as World).server.run(
      ['rsync', '-aHAXS', '--numeric-ids', '-x', '-e', remoteShell, `root@${(golden as GoldenClient).host}:/`, `${capture}/`],
      { timeout: 120_000 },
    );
    const [source, copy] = await Promise.all([treeDigest(root, { exclude: notTree }), treeDigest(capture, { exclude: notTree })]);
    expect(source.size).toBeGreaterThan(5000);
    expect(compareDigests(source, copy)).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
    expect(source.get(SPECIAL.hardlinks[1])?.link).toBe(SPECIAL.hardlinks[0]);
    expect(source.get(SPECIAL.acl)?.xattrs.join(' ')).toMatch(/^system\.posix_acl_access=0x/);
    const sparse = await stat(join(capture, SPECIAL.sparse));
    expect(sparse.size).toBe(1024 ** 3);
    expect(sparse.blocks * 512).toBeLessThan(1024 * 1024);
  });

  it('notices one changed byte, xattr, owner and a broken hardlink', async () => {
    const before: Digest = await treeDigest(capture, { exclude: notTree });
    const at = (rel: string): string => join(capture, rel);

    const spaces = await stat(at(SPECIAL.spaces));
    const text = await readFile(at(SPECIAL.spaces));
    text[0] = (text[0] ?? 0) ^ 0x01;
    await writeFile(at(SPECIAL.spaces), text);
    await utimes(at(SPECIAL.spaces), spaces.atime, spaces.mtime);

    await run(['setfattr', '-n', 'user.sisuite.test', '-v', 'hello World', at(SPECIAL.xattr)]);
    await run(['chown', '4321', at(SPECIAL.foreignOwner)]);

    const [, second] = SPECIAL.hardlinks;
    const [linked, folder] = await Promise.all([stat(at(second)), stat(dirname(at(second)))]);
    await copyFile(at(second), `${at(second)}.new`);
    await rename(`${at(second)}.new`, at(second));
    await utimes(at(second), linked.atime, linked.mtime);
    await utimes(dirname(at(second)), folder.atime, folder.mtime);

    const after = await treeDigest(capture, { exclude: notTree });
    expect(compareDigests(before, after)).toEqual({
      onlyInA: [],
      onlyInB: [],
      differ: [
        { path: second, fields: ['link'] },
        { path: SPECIAL.spaces, fields: ['sha256'] },
        { path: SPECIAL.foreignOwner, fields: ['uid'] },
        { path: SPECIAL.xattr, fields: ['xattrs'] },
      ],
    });
  });

  it('regenerates host keys, which strict host key checking then refuses', async () => {
    const client = golden as GoldenClient;
    const strict = client.sshOptions();
    await ssh(['true'], strict);
    const old = [...client.hostPublicKeys];
    const fresh = await client.regenerateHostKeys();
    expect(fresh).toHaveLength(old.length);
    expect(fresh.some((key) => old.includes(key))).toBe(false);
    await expect(ssh(['true'], strict)).rejects.toThrow(/host key verification failed/i);
  });

  it('destroy() removes namespaces and every process in them, also when the test body fails', async () => {
    const other = await createWorld({ prefix: PREFIX });
    const names = [other.server.name, other.client.name, `${other.server.name.replace(/-srv$/, '')}-extra`];
    const pids: number[] = [];
    const failingTest = async (): Promise<void> => {
      try {
        const extra = await other.addNamespace('extra');
        await extra.run(['busybox', 'ping', '-c', '1', '-W', '2', other.client.address]);
        pids.push(other.client.spawn(['sleep', '600']).pid);
        // setsid -f leaves a sleep outside every process group the world knows: only the namespace still has it.
        await other.server.spawn(['setsid', '-f', 'sleep', '600']).exited;
        const escaped = (await run(['ip', 'netns', 'pids', other.server.name])).stdout.split('\n').filter(Boolean).map(Number);
        expect(escaped).toHaveLength(1);
        pids.push(...escaped);
        throw new Error('simulated test failure');
      } finally {
        await other.destroy();
      }
    };
    await expect(failingTest()).rejects.toThrow('simulated test failure');
    await other.destroy();
    const left = await namespaceNames();
    for (const name of names) expect(left).not.toContain(name);
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
  });
});

// The first capture of a golden client as a new administrator meets it: a hardened sshd without SFTP, the
// wrong kind of key, no key and no agent at all.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from '../world/netns.js';
import { minbaseTree } from '../world/debootstrap-cache.js';
import { startGoldenClient, type GoldenClient } from '../world/golden-client.js';
import { compareDigests, treeDigest, type Digest } from '../world/digest.js';
import { capture, run } from '../../src/infra/run.js';
import { ensureBuilt, PROJECT } from '../support/si.js';

const EXCLUDED = /^\/(proc|sys|dev|run|tmp|mnt|media)\//;
const MOUNT_POINTS = new Set(['/proc', '/sys', '/run']);
const excludedFromSource = (path: string) => EXCLUDED.test(path) || MOUNT_POINTS.has(path) || path.endsWith('/lost+found');
const excludedFromImage = (path: string) => MOUNT_POINTS.has(path);

function expectSameTree(a: Digest, b: Digest): void {
  const comparison = compareDigests(a, b);
  expect(comparison.onlyInA.slice(0, 20)).toEqual([]);
  expect(comparison.onlyInB.slice(0, 20)).toEqual([]);
  expect(comparison.differ.slice(0, 20)).toEqual([]);
}

describe('first contact with a golden client', () => {
  let world: World;
  let golden: GoldenClient;
  let work: string;
  let tree: string;
  let emptyUserHome: string;

  /** bin/si in the server namespace as a new user runs it: no ssh agent, a HOME without ~/.ssh. */
  const si = async (home: string, args: string[]) => {
    await ensureBuilt();
    const argv = ['ip', 'netns', 'exec', world.server.name, `${PROJECT}bin/si`, '--home', home, ...args];
    return capture(argv, { timeout: 180_000, env: { SI_HOME: undefined, SSH_AUTH_SOCK: undefined, HOME: emptyUserHome } });
  };

  /** One `si:` line, the last one on stderr, a non-zero exit, and nothing left running. */
  const expectOneLine = async (result: { exitCode: number | null; stderr: string }, message: RegExp) => {
    expect(result.exitCode, result.stderr).not.toBe(0);
    expect(result.exitCode).not.toBe(70);
    const errors = result.stderr.trim().split('\n').filter((line) => line.startsWith('si: '));
    expect(errors, result.stderr).toHaveLength(1);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(errors[0]);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(errors[0]).toMatch(message);
    expect(await world.server.processes()).toEqual([]);
    return errors[0] as string;
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'si-contact-'));
    tree = join(work, 'golden');
    emptyUserHome = join(work, 'user-home');
    await mkdir(emptyUserHome);
    await minbaseTree(tree);
    for (const file of ['var/log/wtmp', 'var/log/btmp', 'var/log/lastlog']) await rm(join(tree, file), { force: true });
    world = await createWorld({ prefix: 'sifc' });
    golden = await startGoldenClient({ ns: world.client, root: tree, sftp: false });
  });

  afterAll(async () => {
    await golden?.stop();
    await world?.destroy();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('captures a golden client whose sshd has no sftp subsystem: the image equals the tree, the layout written on both sides', async () => {
    // The world is what it claims: sftp is refused by this sshd.
    const sftp = await world.server.run(
      ['sftp', '-b', '/dev/null', '-i', golden.keyPath, '-o', `UserKnownHostsFile=${golden.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', `root@${golden.host}`],
      { okExitCodes: [0, 1, 255], timeout: 30_000 },
    );
    expect(sftp.exitCode).not.toBe(0);
    expect(existsSync(join(tree, 'etc/sisuite/layout.json'))).toBe(false);

    const home = join(work, 'home');
    const result = await si(home, ['getimage', '--golden-client', golden.host, '--image', 'hardened', '--ssh-key', golden.keyPath, '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ version: 1 });
    expect(await world.server.processes()).toEqual([]);

    const image = realpathSync(join(home, 'images/hardened'));
    const written = await readFile(join(tree, 'etc/sisuite/layout.json'), 'utf8');
    expect(JSON.parse(written).filesystems.find((f: { mountpoint: string }) => f.mountpoint === '/')).toBeTruthy();
    expect(await readFile(join(image, 'etc/sisuite/layout.json'), 'utf8')).toBe(written);
    const seconds = (file: string) => Math.floor(statSync(file).mtimeMs / 1000);
    expect(seconds(join(image, 'etc/sisuite/layout.json'))).toBe(seconds(join(tree, 'etc/sisuite/layout.json')));
    // Nothing half-written is left on the golden client.
    expect(existsSync(join(tree, 'etc/sisuite/layout.json.si-new'))).toBe(false);
    expectSameTree(await treeDigest(image, { exclude: excludedFromImage }), await treeDigest(tree, { exclude: excludedFromSource }));
  });

  it('refuses a public key given as --ssh-key in one line that names the private key to give', async () => {
    const home = join(work, 'home-pub');
    const result = await si(home, ['getimage', '--golden-client', golden.host, '--image', 'x', '--ssh-key', `${golden.keyPath}.pub`]);
    const line = await expectOneLine(result, /is a public key/);
    expect(line).toContain(`${golden.keyPath}.pub`);
    expect(line).toContain(`--ssh-key ${golden.keyPath}`);
    expect(existsSync(join(home, 'versions/x'))).toBe(false);
  });

  it('refuses a key with a passphrase in one line that says it is encrypted and what to do', async () => {
    const key = join(work, 'locked_key');
    await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', 'a passphrase', '-f', key]);
    const result = await si(join(work, 'home-locked'), ['getimage', '--golden-client', golden.host, '--image', 'x', '--ssh-key', key]);
    const line = await expectOneLine(result, /encrypted with a passphrase/);
    expect(line).toContain(key);
    expect(line).toMatch(/ssh-agent.*ssh-add/);
    // The same for an old PEM key (RSA, passphrase in the PEM header).
    const pem = join(work, 'locked_pem');
    await run(['ssh-keygen', '-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', 'a passphrase', '-f', pem]);
    await expectOneLine(await si(join(work, 'home-locked'), ['getimage', '--golden-client', golden.host, '--image', 'x', '--ssh-key', pem]), /encrypted with a passphrase/);
  });

  it('with no key and no agent makes its own key, shows it in the refusal, and captures once the key is authorized', async () => {
    const home = join(work, 'fresh');
    const args = ['getimage', '--golden-client', golden.host, '--image', 'first'];
    const refused = await si(home, args);
    const line = await expectOneLine(refused, /refused sisuite's key/);
    const publicKey = (await readFile(join(home, 'ssh/id_ed25519.pub'), 'utf8')).trim();
    expect(publicKey).toMatch(/^ssh-ed25519 AAAA\S+ sisuite@/);
    expect(line).toContain(publicKey);
    expect(line).toContain('/root/.ssh/authorized_keys');
    expect(line).toContain('si key show');
    expect(statSync(join(home, 'ssh')).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, 'ssh/id_ed25519')).mode & 0o777).toBe(0o600);

    // si key show prints that same key (and makes no other).
    const shown = await si(home, ['key', 'show']);
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(shown.stdout).toBe(`${publicKey}\n`);
    const json = await si(home, ['key', 'show', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ publicKey, created: false, privateKey: join(home, 'ssh/id_ed25519'), authorizedKeys: '/root/.ssh/authorized_keys' });

    // What the administrator does on the golden client, then the same command again.
    await mkdir(join(tree, 'root/.ssh'), { recursive: true });
    await chmod(join(tree, 'root/.ssh'), 0o700);
    await writeFile(join(tree, 'root/.ssh/authorized_keys'), `${shown.stdout}`, { mode: 0o600 });
    try {
      const captured = await si(home, [...args, '--json']);
      expect(captured.exitCode, captured.stderr).toBe(0);
      expect(JSON.parse(captured.stdout)).toMatchObject({ version: 1 });
      expect(await world.server.processes()).toEqual([]);
    } finally {
      await rm(join(tree, 'root/.ssh'), { recursive: true, force: true });
    }
  });

  it('says what getimage --help says about the key: where the default key is and which command prints it', async () => {
    const help = await si(join(work, 'home-help'), ['getimage', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/\$SI_HOME\/ssh\/id_ed25519.*si key show.*\/root\/\.ssh\/authorized_keys/);
  });
});

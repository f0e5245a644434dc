// A golden client capturable over ssh: a tree's own sshd, chrooted, inside a network namespace.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/infra/run.js';
import type { Daemon } from './daemon.js';
import type { Netns } from './netns.js';

const LAUNCHER = fileURLToPath(new URL('./golden-sshd.sh', import.meta.url));
const READY_TIMEOUT_MS = 10_000;

export interface GoldenClient {
  readonly host: string;
  readonly port: number;
  readonly user: 'root';
  /** Private key (ed25519) whose public half sshd accepts for root. */
  readonly keyPath: string;
  /** A known_hosts file holding the host keys the client had when it started. */
  readonly knownHostsPath: string;
  /** Contents of the tree's /etc/ssh/ssh_host_*_key.pub (updated by regenerateHostKeys). */
  hostPublicKeys: string[];
  /** ssh options for strict, non-interactive use of this client: key, known_hosts, port. */
  sshOptions(): string[];
  /** Simulates a reinstalled client: new host keys in the tree, sshd restarted; returns the new keys. */
  regenerateHostKeys(): Promise<string[]>;
  /** Stops sshd (its mounts vanish with it) and removes the test key. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts sshd for root inside ns and waits (at most ~10 s) until it answers. `sftp: false` leaves out the
 * `Subsystem sftp` line, as hardened servers do. Besides the test key, root's own ~/.ssh/authorized_keys in
 * the tree lets in whatever a test puts there, as on a real machine.
 */
export async function startGoldenClient({ ns, root, port = 22, sftp = true }: { ns: Netns; root: string; port?: number; sftp?: boolean }): Promise<GoldenClient> {
  const tree = resolve(root);
  const work = await mkdtemp(join(tmpdir(), 'si-golden-'));
  let daemon: Daemon | undefined;
  try {
    const keyPath = join(work, 'id_ed25519');
    await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'sisuite-test', '-f', keyPath]);
    await writeFile(join(work, 'authorized_keys'), await readFile(`${keyPath}.pub`));
    await ensureHostKeys(tree);
    await writeFile(join(work, 'sshd_config'), sshdConfig({ address: ns.address, port, hostKeys: await hostKeyFiles(tree), sftp }));
    const knownHostsPath = join(work, 'known_hosts');
    const hostPublicKeys = await readHostPublicKeys(tree);
    await writeFile(knownHostsPath, knownHosts({ host: ns.address, port, keys: hostPublicKeys }));

    const start = async (): Promise<void> => {
      daemon = ns.spawn(['unshare', '-m', '--propagation', 'private', 'sh', LAUNCHER, tree, work]);
      await waitForSsh({ ns, port, daemon });
    };
    await start();
    let stopping: Promise<void> | undefined;
    const client: GoldenClient = {
      host: ns.address,
      port,
      user: 'root',
      keyPath,
      knownHostsPath,
      hostPublicKeys,
      sshOptions: () => [
        '-i', keyPath, '-p', String(port),
        '-o', `UserKnownHostsFile=${knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes',
        '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5',
      ],
      regenerateHostKeys: async () => {
        await daemon?.stop();
        client.hostPublicKeys = await regenerateHostKeys({ root: tree });
        await writeFile(join(work, 'sshd_config'), sshdConfig({ address: ns.address, port, hostKeys: await hostKeyFiles(tree), sftp }));
        await start();
        return client.hostPublicKeys;
      },
      stop: () =>
        (stopping ??= (async () => {
          await daemon?.stop();
          await rm(work, { recursive: true, force: true });
        })()),
    };
    return client;
  } catch (error) {
    await daemon?.stop().catch(() => undefined);
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}

/** Replaces every host key of the tree with fresh ones; returns the new public keys. */
export async function regenerateHostKeys({ root }: { root: string }): Promise<string[]> {
  const sshDir = join(root, 'etc/ssh');
  for (const name of await readdir(sshDir)) {
    if (/^ssh_host_.*_key(\.pub)?$/.test(name)) await rm(join(sshDir, name));
  }
  await ensureHostKeys(root);
  return readHostPublicKeys(root);
}

/** The tree's host public keys, one `type base64 comment` line each, sorted by file name. */
export async function readHostPublicKeys(root: string): Promise<string[]> {
  const sshDir = join(root, 'etc/ssh');
  const names = (await readdir(sshDir)).filter((name) => /^ssh_host_.*_key\.pub$/.test(name)).sort();
  return Promise.all(names.map(async (name) => (await readFile(join(sshDir, name), 'utf8')).trim()));
}

/** Generates whichever default host keys the tree lacks (`ssh-keygen -A` with the tree as prefix). */
async function ensureHostKeys(root: string): Promise<void> {
  await run(['ssh-keygen', '-A', '-f', root]);
}

/** Host key paths as seen from inside the chroot. */
async function hostKeyFiles(root: string): Promise<string[]> {
  const names = await readdir(join(root, 'etc/ssh'));
  return names.filter((name) => /^ssh_host_.*_key$/.test(name)).sort().map((name) => `/etc/ssh/${name}`);
}

function sshdConfig({ address, port, hostKeys, sftp }: { address: string; port: number; hostKeys: string[]; sftp: boolean }): string {
  return [
    `Port ${port}`,
    `ListenAddress ${address}`,
    ...hostKeys.map((key) => `HostKey ${key}`),
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'AuthorizedKeysFile /run/sisuite-test/authorized_keys .ssh/authorized_keys',
    'PidFile none',
    ...(sftp ? ['Subsystem sftp /usr/lib/openssh/sftp-server'] : []),
    '',
  ].join('\n');
}

function knownHosts({ host, port, keys }: { host: string; port: number; keys: string[] }): string {
  const name = port === 22 ? host : `[${host}]:${port}`;
  return keys.map((key) => `${name} ${key.split(/\s+/).slice(0, 2).join(' ')}\n`).join('');
}

/** Polls with ssh-keyscan from inside the namespace until sshd hands out its keys. */
async function waitForSsh({ ns, port, daemon }: { ns: Netns; port: number; daemon: Daemon }): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!daemon.running()) throw new Error(`golden client sshd exited: ${daemon.output().trim()}`);
    const probe = await ns
      .run(['ssh-keyscan', '-T', '1', '-p', String(port), ns.address], { timeout: 3000 })
      .catch(() => ({ stdout: '' }));
    if (probe.stdout.trim()) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`golden client sshd did not answer on ${ns.address}:${port} within ${READY_TIMEOUT_MS / 1000} s: ${daemon.output().trim()}`);
}

// Debian trees for tests, built once by debootstrap and kept as tarballs: the part every cached tree shares.
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { run } from '../../src/infra/run.js';
import { machineMirror } from '../../src/infra/apt-mirror.js';
import { unmountBelow } from '../../src/infra/fs/mounts.js';
import { tryPidLock } from '../../src/infra/fs/pid-lock.js';
import { waitFor } from '../support/wait.js';

export const SUITE = 'bookworm';
// Keep owners as numbers and every xattr (capabilities, ACLs) when packing and unpacking.
const TAR_KEEP = ['--xattrs', '--xattrs-include=*', '--acls', '--numeric-owner'];
const DEBOOTSTRAP_TIMEOUT_MS = 20 * 60_000;
// How long a second test waits for a build another test process is running (a bootable tree takes minutes).
const BUILD_WAIT_MS = 30 * 60_000;

/** The folder every test cache lives in: beside $SI_TEST_CACHE if set, else /var/cache/sisuite-test. */
export function testCacheFolder(): string {
  return process.env.SI_TEST_CACHE ? dirname(resolve(process.env.SI_TEST_CACHE)) : '/var/cache/sisuite-test';
}

/** The Debian mirror this machine's apt uses for bookworm (the same reader si mkimage uses). */
export function readAptMirror(): string {
  return machineMirror(SUITE);
}

/**
 * Makes sure `tarball` exists, calling `build(dir)` to fill a scratch folder (created empty) beside it on first use, then packs
 * it and renames it into place. One build at a time per tarball (a pid lock beside it): a second process waits
 * for the first one's tarball instead of debootstrapping the same tree again on a shared 2-core machine.
 */
export async function ensureTarball(tarball: string, build: (dir: string) => Promise<void>): Promise<void> {
  if (existsSync(tarball)) return;
  const folder = dirname(resolve(tarball));
  await mkdir(folder, { recursive: true });
  const lockFile = `${tarball}.lock`;
  let lock = tryPidLock(lockFile);
  // Bounded: the holder either finishes (the tarball appears) or dies (its lock is taken over).
  const deadline = Date.now() + BUILD_WAIT_MS;
  while ('holder' in lock) {
    if (Date.now() > deadline) throw new Error(`${tarball}: still being built by pid ${lock.holder} after ${BUILD_WAIT_MS / 60_000} min`);
    await waitFor(() => existsSync(tarball) || !existsSync(lockFile), 5000, 500);
    if (existsSync(tarball)) return;
    lock = tryPidLock(lockFile);
  }
  try {
    if (existsSync(tarball)) return;
    const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
    const dir = join(folder, `.build-${tag}`);
    const partial = join(folder, `.partial-${tag}.tar`);
    try {
      await mkdir(dir);
      await build(dir);
      await run(['tar', ...TAR_KEEP, '-cf', partial, '-C', dir, '.']);
      await rename(partial, tarball);
    } finally {
      await unmountBelow(dir);
      await rm(dir, { recursive: true, force: true });
      await rm(partial, { force: true });
    }
  } finally {
    lock.release();
  }
}

/** Unpacks a tarball made by ensureTarball into dest (created if needed), owners, modes and xattrs kept; only `members` (e.g. `./boot`) if given. */
export async function extractTarball(tarball: string, dest: string, members: readonly string[] = []): Promise<void> {
  await mkdir(dest, { recursive: true });
  await run(['tar', ...TAR_KEEP, '--same-permissions', '-xf', tarball, '-C', dest, ...members]);
}

/**
 * debootstrap --variant=minbase of bookworm into dir from the machine's mirror, with `include` packages. The
 * mirror fails transiently now and then ("Failed getting release file"): one retry on a clean folder.
 */
export async function debootstrap(dir: string, include: readonly string[]): Promise<void> {
  const argv = ['debootstrap', '--variant=minbase', `--include=${include.join(',')}`, SUITE, dir, readAptMirror()];
  try {
    await run(argv, { timeout: DEBOOTSTRAP_TIMEOUT_MS, group: true });
  } catch (error) {
    process.stderr.write(`debootstrap failed, retrying once: ${(error as Error).message.split('\n')[0]}\n`);
    await unmountBelow(dir);
    await rm(dir, { recursive: true, force: true });
    await run(argv, { timeout: DEBOOTSTRAP_TIMEOUT_MS, group: true });
  }
}

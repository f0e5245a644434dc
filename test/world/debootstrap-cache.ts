// A cached Debian bookworm minbase tree with openssh-server, rsync and ifupdown: built once, extracted per test.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { run } from '../../src/infra/run.js';
import { machineMirror } from '../../src/infra/apt-mirror.js';

const SUITE = 'bookworm';
const DEFAULT_CACHE = '/var/cache/sisuite-test/bookworm-minbase-ssh-rsync-ifupdown.tar';
// One tree serves every test: capturable over ssh, servable by rsync, configurable (ifupdown).
const PACKAGES = 'openssh-server,rsync,ifupdown';
// Keep owners as numbers and every xattr (capabilities, ACLs) when packing and unpacking.
const TAR_KEEP = ['--xattrs', '--xattrs-include=*', '--acls', '--numeric-owner'];

/** Where the cache tarball lives: $SI_TEST_CACHE or the default under /var/cache. */
export function minbaseCachePath(): string {
  return process.env.SI_TEST_CACHE || DEFAULT_CACHE;
}

/** Fills dest (created if needed) with the minbase tree, building the cache tarball on first use. */
export async function minbaseTree(dest: string): Promise<void> {
  const tarball = minbaseCachePath();
  if (!existsSync(tarball)) await buildCache(tarball);
  await mkdir(dest, { recursive: true });
  await run(['tar', ...TAR_KEEP, '--same-permissions', '-xf', tarball, '-C', dest]);
}

/** Debootstraps into a temporary folder beside the tarball and renames the packed result into place. */
async function buildCache(tarball: string): Promise<void> {
  const folder = dirname(resolve(tarball));
  await mkdir(folder, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tree = join(folder, `.build-${tag}`);
  const partial = join(folder, `.partial-${tag}.tar`);
  const mirror = readAptMirror();
  try {
    await run(['debootstrap', '--variant=minbase', `--include=${PACKAGES}`, SUITE, tree, mirror], {
      timeout: 15 * 60_000,
    });
    await run(['tar', ...TAR_KEEP, '-cf', partial, '-C', tree, '.']);
    // A concurrent builder may have won the race; either tarball is complete, so the rename is harmless.
    await rename(partial, tarball);
  } finally {
    await unmountBelow(tree);
    await rm(tree, { recursive: true, force: true });
    await rm(partial, { force: true });
  }
}

/** Unmounts anything a failed debootstrap left mounted inside folder (deepest first). */
async function unmountBelow(folder: string): Promise<void> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const targets = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((target): target is string => target !== undefined && target.startsWith(`${folder}/`))
    .sort((a, b) => b.length - a.length);
  for (const target of targets) await run(['umount', '-l', target]);
}

/** The Debian mirror this machine's apt uses for bookworm (the same reader si mkimage uses). */
export function readAptMirror(): string {
  return machineMirror(SUITE);
}

// A cached Debian bookworm minbase tree with openssh-server, rsync and ifupdown: built once, extracted per test.
import { join } from 'node:path';
import { debootstrap, ensureTarball, extractTarball, testCacheFolder } from './tree-cache.js';

export { readAptMirror } from './tree-cache.js';

// One tree serves every test: capturable over ssh, servable by rsync, configurable (ifupdown).
const PACKAGES = ['openssh-server', 'rsync', 'ifupdown'];

/** Where the cache tarball lives: $SI_TEST_CACHE or the default under /var/cache. */
export function minbaseCachePath(): string {
  return process.env.SI_TEST_CACHE || join(testCacheFolder(), 'bookworm-minbase-ssh-rsync-ifupdown.tar');
}

/** Fills dest (created if needed) with the minbase tree, building the cache tarball on first use. */
export async function minbaseTree(dest: string): Promise<void> {
  const tarball = minbaseCachePath();
  await ensureTarball(tarball, (dir) => debootstrap(dir, PACKAGES));
  await extractTarball(tarball, dest);
}

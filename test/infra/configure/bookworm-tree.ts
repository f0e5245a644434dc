// A cached Debian bookworm minbase tree with openssh-server and ifupdown, for the configure tests.
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { run } from '../../../src/infra/run.js';
import { readAptMirror } from '../../world/debootstrap-cache.js';

const TARBALL = join(dirname(process.env.SI_TEST_CACHE || '/var/cache/sisuite-test/x'), 'bookworm-minbase-ssh-ifupdown.tar');
const TAR_KEEP = ['--xattrs', '--xattrs-include=*', '--acls', '--numeric-owner'];

/** Fills dest with the tree; the first call debootstraps (~30 s) and packs it beside the other test caches. */
export async function bookwormTree(dest: string): Promise<void> {
  if (!existsSync(TARBALL)) {
    const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
    const build = join(dirname(TARBALL), `.build-${tag}`);
    const partial = join(dirname(TARBALL), `.partial-${tag}.tar`);
    await mkdir(dirname(TARBALL), { recursive: true });
    try {
      await run(['debootstrap', '--variant=minbase', '--include=openssh-server,ifupdown', 'bookworm', build, readAptMirror()], {
        timeout: 15 * 60_000,
      });
      await run(['tar', ...TAR_KEEP, '-cf', partial, '-C', build, '.']);
      await rename(partial, TARBALL);
    } finally {
      await rm(build, { recursive: true, force: true });
      await rm(partial, { force: true });
    }
  }
  await mkdir(dest, { recursive: true });
  await run(['tar', ...TAR_KEEP, '--same-permissions', '-xf', TARBALL, '-C', dest]);
}

// This machine's apt mirror, and the cached minbase tree extracted for real.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { minbaseCachePath, minbaseTree, readAptMirror } from './debootstrap-cache.js';

describe('readAptMirror', () => {
  it("reads this machine's apt configuration", () => {
    expect(readAptMirror()).toMatch(/^https?:\/\/\S+$/);
  });
});

describe('minbaseTree', () => {
  it('extracts a tree with sshd and rsync, root-owned, from one cached tarball', async () => {
    const dest = await mkdtemp(join(tmpdir(), 'si-minbase-'));
    try {
      await minbaseTree(dest);
      expect(existsSync(join(dest, 'usr/sbin/sshd'))).toBe(true);
      expect(existsSync(join(dest, 'usr/bin/rsync'))).toBe(true);
      const shadow = await stat(join(dest, 'etc/shadow'));
      expect({ uid: shadow.uid, gid: shadow.gid }).toEqual({ uid: 0, gid: 42 });
      // Once cached, a second tree comes from the same tarball: it is not built again.
      const tarball = await stat(minbaseCachePath());
      const again = join(dest, 'again');
      await minbaseTree(again);
      const after = await stat(minbaseCachePath());
      expect({ ino: after.ino, mtimeMs: after.mtimeMs }).toEqual({ ino: tarball.ino, mtimeMs: tarball.mtimeMs });
      expect(existsSync(join(again, 'usr/sbin/sshd'))).toBe(true);
    } finally {
      await rm(dest, { recursive: true, force: true });
    }
  });
});

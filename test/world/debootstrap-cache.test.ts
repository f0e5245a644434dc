// The apt mirror parser, and the cached minbase tree extracted for real.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findAptMirror, minbaseTree, readAptMirror } from './debootstrap-cache.js';

const DEB822 = `Types: deb
# a comment
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main

Types: deb-src
URIs: http://mirror.example/sources
Suites: bookworm

Types: deb
URIs: http://mirror.example/debian http://other.example/debian
Suites: bookworm bookworm-updates
Components: main
`;

describe('findAptMirror', () => {
  it('takes the first URI of the deb stanza whose Suites name bookworm exactly', () => {
    expect(findAptMirror({ deb822: DEB822, oneLine: '', suite: 'bookworm' })).toBe('http://mirror.example/debian');
  });

  it('falls back to the first deb line of sources.list, skipping options', () => {
    const oneLine = '# deb http://commented.example/ bookworm main\ndeb-src http://src.example/ bookworm main\ndeb [arch=amd64] http://list.example/debian bookworm main\n';
    expect(findAptMirror({ deb822: '', oneLine, suite: 'bookworm' })).toBe('http://list.example/debian');
  });

  it('finds nothing when no source names the suite', () => {
    expect(findAptMirror({ deb822: DEB822.replace(/bookworm bookworm-updates/, 'trixie'), oneLine: '', suite: 'bookworm' })).toBeUndefined();
  });

  it("reads this machine's apt configuration", () => {
    expect(readAptMirror()).toMatch(/^https?:\/\/\S+$/);
  });
});

describe('minbaseTree', () => {
  it('extracts a tree with sshd and rsync, root-owned, in seconds once cached', async () => {
    const dest = await mkdtemp(join(tmpdir(), 'si-minbase-'));
    try {
      await minbaseTree(dest);
      expect(existsSync(join(dest, 'usr/sbin/sshd'))).toBe(true);
      expect(existsSync(join(dest, 'usr/bin/rsync'))).toBe(true);
      const shadow = await stat(join(dest, 'etc/shadow'));
      expect({ uid: shadow.uid, gid: shadow.gid }).toEqual({ uid: 0, gid: 42 });
      const started = Date.now();
      const again = join(dest, 'again');
      await minbaseTree(again);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(existsSync(join(again, 'usr/sbin/sshd'))).toBe(true);
    } finally {
      await rm(dest, { recursive: true, force: true });
    }
  });
});

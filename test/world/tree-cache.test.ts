// The cache mechanism every Debian test tree shares: one build per tarball, even when asked for twice at once.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureTarball, extractTarball } from './tree-cache.js';

describe('ensureTarball', () => {
  it('builds once for two concurrent callers; the second waits for the first one’s tarball', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'si-tree-cache-'));
    try {
      const tarball = join(folder, 'tree.tar');
      let builds = 0;
      const build = async (dir: string) => {
        builds += 1;
        await writeFile(join(dir, 'marker'), 'built\n');
        // Slow enough that the second caller finds the lock taken.
        await new Promise((done) => setTimeout(done, 1500));
      };
      await Promise.all([ensureTarball(tarball, build), ensureTarball(tarball, build)]);
      expect(builds).toBe(1);
      expect((await readdir(folder)).sort()).toEqual(['tree.tar']);
      await extractTarball(tarball, join(folder, 'out'));
      expect(await readFile(join(folder, 'out/marker'), 'utf8')).toBe('built\n');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('leaves no tarball, lock or scratch folder when the build fails, and the next call builds again', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'si-tree-cache-'));
    try {
      const tarball = join(folder, 'tree.tar');
      await expect(ensureTarball(tarball, async () => Promise.reject(new Error('mirror down')))).rejects.toThrow('mirror down');
      expect(await readdir(folder)).toEqual([]);
      await ensureTarball(tarball, async (dir) => writeFile(join(dir, 'marker'), 'again\n'));
      expect(existsSync(tarball)).toBe(true);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

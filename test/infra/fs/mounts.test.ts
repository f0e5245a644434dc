// A tree with a filesystem mounted below it is never deleted through that filesystem.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mountPointsBelow, unmountBelow } from '../../../src/infra/fs/mounts.js';
import { removeTree } from '../../../src/infra/images/tree-ops.js';
import { run } from '../../../src/infra/run.js';

describe('removeTree and mounts below a tree', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) {
      await unmountBelow(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a tree with a mount below it and removes nothing; after unmountBelow it removes the tree', async () => {
    dir = mkdtempSync(join(tmpdir(), 'si-mounts-'));
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'proc'), { recursive: true });
    writeFileSync(join(tree, 'kept'), 'x');
    await run(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'si-test-tmpfs', join(tree, 'proc')]);
    writeFileSync(join(tree, 'proc', 'inside'), 'on the mounted filesystem');

    expect(mountPointsBelow(tree)).toEqual([join(tree, 'proc')]);
    expect(() => removeTree(tree)).toThrow(`${tree} has filesystems mounted below it (${join(tree, 'proc')})`);
    expect(existsSync(join(tree, 'kept'))).toBe(true);
    expect(existsSync(join(tree, 'proc', 'inside'))).toBe(true);

    expect(await unmountBelow(tree)).toEqual([join(tree, 'proc')]);
    expect(mountPointsBelow(tree)).toEqual([]);
    removeTree(tree);
    expect(existsSync(tree)).toBe(false);
  });

  it('finds nothing below a directory that does not exist', () => {
    expect(mountPointsBelow('/nonexistent/si-tree')).toEqual([]);
  });
});

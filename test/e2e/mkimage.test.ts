// si mkimage: an image from Debian packages with debootstrap, from this machine's own apt mirror.
import { mkdtempSync, readFileSync, rmSync, existsSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpRegistry, si, siOk } from '../support/si.js';

describe('si mkimage', () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'si-mkimage-'));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('builds a bookworm image with extra packages, a layout and a registry version', async () => {
    const result = await siOk<{ version: number; source: string; fileCount: number }>(home, [
      'mkimage', '--image', 'built', '--suite', 'bookworm', '--include', 'ifupdown', '--json',
    ]);
    expect(result.version).toBe(1);
    expect(result.source).toBe('debootstrap bookworm +ifupdown');
    const tree = join(home, 'images/built');
    expect(readlinkSync(tree)).toBe('../versions/built/1');
    expect(readFileSync(join(tree, 'etc/debian_version'), 'utf8')).toMatch(/^12\./);
    expect(existsSync(join(tree, 'sbin/ifup'))).toBe(true);
    const layout = JSON.parse(readFileSync(join(tree, 'etc/sisuite/layout.json'), 'utf8'));
    expect(layout.filesystems).toEqual([expect.objectContaining({ mountpoint: '/', fstype: 'ext4', local: true })]);
    const shown = await siOk<{ source: string }>(home, ['layout', 'show', '--image', 'built', '--json']);
    expect(shown.source).toBe('standard');
  }, 600_000);

  it('refuses a bad suite or package name before running anything', async () => {
    const before = dumpRegistry(home);
    for (const [args, message] of [
      [['--suite', 'bookworm;id'], /invalid suite/],
      [['--suite', 'bookworm', '--include', 'rsync,bad pkg'], /invalid package name "bad pkg"/],
      [['--suite', 'bookworm', '--variant', 'huge'], /variant/],
    ] as const) {
      const result = await si(home, ['mkimage', '--image', 'other', ...args]);
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toMatch(message);
    }
    expect(dumpRegistry(home)).toEqual(before);
  });
});

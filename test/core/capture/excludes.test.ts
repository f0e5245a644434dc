import { describe, expect, it } from 'vitest';
import { captureExcludes, DEFAULT_EXCLUDES, escapePattern, parseExcludeFile } from '../../../src/core/capture/excludes.js';
import type { CapturedLayout } from '../../../src/core/layout/captured.js';

const fs = (mountpoint: string, fstype: string, local: boolean) => ({ source: 'x', fstype, uuid: null, label: null, mountpoint, options: 'rw', local });

describe('captureExcludes', () => {
  it('keeps local filesystems and leaves out the contents of pseudo and remote mounts and swap files', () => {
    const layout = {
      filesystems: [fs('/', 'ext4', true), fs('/home', 'xfs', true), fs('/proc', 'proc', false), fs('/srv/nfs data', 'nfs4', false), fs('/var/lib/[x]', 'tmpfs', false)],
      swap: [{ path: '/swapfile', kind: 'file', sizeBytes: 1 }, { path: '/dev/vda3', kind: 'partition', sizeBytes: 1 }],
    } as unknown as CapturedLayout;
    const excludes = captureExcludes(layout, ['/var/cache/apt/*']);
    expect(excludes.slice(0, DEFAULT_EXCLUDES.length)).toEqual([...DEFAULT_EXCLUDES]);
    expect(excludes).toContain('/srv/nfs data/*');
    expect(excludes).toContain('/var/lib/\\[x]/*');
    expect(excludes).toContain('/swapfile');
    expect(excludes).not.toContain('/home/*');
    expect(excludes).not.toContain('/dev/vda3');
    expect(excludes.at(-1)).toBe('/var/cache/apt/*');
    expect(new Set(excludes).size).toBe(excludes.length);
  });

  it('refuses an empty pattern', () => {
    expect(() => captureExcludes(null, ['  '])).toThrow(/invalid exclude pattern/);
  });
});

describe('exclude helpers', () => {
  it('escapes rsync wildcards in literal paths', () => {
    expect(escapePattern('/a*b?c[d]\\e')).toBe('/a\\*b\\?c\\[d]\\\\e');
  });
  it('reads an exclude file, skipping comments and blank lines', () => {
    expect(parseExcludeFile('# site excludes\n/var/cache/*\n\n  # indented comment\n/home/*/.cache\r\n')).toEqual(['/var/cache/*', '/home/*/.cache']);
  });
});

import type { CapturedLayout } from '../layout/captured.js';
import { UserError } from '../errors.js';

/** Contents a capture never copies: pseudo filesystems, scratch space and mount points for removable media. */
export const DEFAULT_EXCLUDES: readonly string[] = [
  '/proc/*',
  '/sys/*',
  '/dev/*',
  '/run/*',
  '/tmp/*',
  '/mnt/*',
  '/media/*',
  'lost+found/',
];

/** Escapes rsync's wildcard characters so a literal path can sit inside a pattern. */
export function escapePattern(literal: string): string {
  return literal.replace(/[\\*?[]/g, (c) => `\\${c}`);
}

/**
 * The exclude list of one capture: the defaults, every mounted filesystem that is not a local block
 * filesystem (pseudo or remote: its mount point is kept, its contents are not), swap files, and the user's.
 */
export function captureExcludes(layout: Pick<CapturedLayout, 'filesystems' | 'swap'> | null, userExcludes: readonly string[]): string[] {
  const patterns = [...DEFAULT_EXCLUDES];
  for (const fs of layout?.filesystems ?? []) {
    if (fs.local || fs.mountpoint === '/') continue;
    patterns.push(`${escapePattern(fs.mountpoint.replace(/\/+$/, ''))}/*`);
  }
  for (const swap of layout?.swap ?? []) {
    if (swap.kind === 'file') patterns.push(escapePattern(swap.path));
  }
  for (const pattern of userExcludes) patterns.push(checkExcludePattern(pattern));
  return [...new Set(patterns)];
}

export function checkExcludePattern(pattern: string): string {
  if (pattern.trim() === '' || pattern.includes('\n')) {
    throw new UserError(`invalid exclude pattern ${JSON.stringify(pattern)}: give an rsync pattern such as /var/cache/*`);
  }
  return pattern;
}

/** An exclude file: one rsync pattern a line; blank lines and lines starting with # are ignored. */
export function parseExcludeFile(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
}

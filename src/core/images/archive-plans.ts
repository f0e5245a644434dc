import { UserError } from '../errors.js';

/** Pure decisions for `si image export` and `si image import --archive`: compression by suffix, tar's argv. */

export type Compression = 'none' | 'gzip' | 'zstd';

const SUFFIXES: ReadonlyArray<[string, Compression]> = [
  ['.tar', 'none'],
  ['.tar.gz', 'gzip'],
  ['.tgz', 'gzip'],
  ['.tar.zst', 'zstd'],
  ['.tar.zstd', 'zstd'],
];

export function compressionOf(file: string): Compression {
  const found = SUFFIXES.find(([suffix]) => file.endsWith(suffix));
  if (!found) throw new UserError(`cannot tell the compression of ${file}: name it FILE.tar, FILE.tar.gz or FILE.tar.zst`);
  return found[1];
}

/** Everything a root filesystem carries: xattrs of every namespace (security.capability too), ACLs, owners by number. */
const KEEP_ALL = ['--xattrs', '--xattrs-include=*', '--acls', '--numeric-owner'] as const;

function compressFlag(compression: Compression): string[] {
  return compression === 'gzip' ? ['--gzip'] : compression === 'zstd' ? ['--zstd'] : [];
}

/** A root tarball of `root` written to `file`; pax format keeps sub-second times and long names. */
export function exportTarArgv(root: string, file: string, compression: Compression): string[] {
  return ['tar', '--create', '--file', file, ...compressFlag(compression), '--format=posix', ...KEEP_ALL, '--sparse', '--directory', root, '.'];
}

/** Extracts `file` into `target` as it was made: owners, modes, setuid, xattrs, ACLs; compression found by tar. */
export function extractTarArgv(file: string, target: string): string[] {
  return ['tar', '--extract', '--file', file, ...KEEP_ALL, '--same-owner', '--same-permissions', '--delay-directory-restore', '--directory', target];
}

import { opensshOptions, type SshTransport } from '../ssh/openssh-options.js';

export type { SshTransport };

/**
 * The one place rsync's flags are written (capture, dry-run preview, image cp, image diff, the bench).
 * A typed builder for rsync's argv. It returns an array for the runner, never a shell string:
 * the `rsync` npm package escapes for /bin/sh and is neither safe nor an argv builder.
 */
export interface RsyncRequest {
  source: string;
  destination: string;
  /** -aHAXS --numeric-ids: everything a root filesystem carries, sparse files kept sparse. */
  preserveAll?: boolean;
  delete?: boolean;
  /** With delete: leave excluded paths on the receiver alone (no --delete-excluded), as an update does. */
  keepExcluded?: boolean;
  /** Compare by content, not by size and time (drift). */
  checksum?: boolean;
  linkDest?: string;
  excludes?: readonly string[];
  excludeFrom?: string;
  ssh?: SshTransport;
  progress?: boolean;
  stats?: boolean;
  dryRun?: boolean;
  itemize?: boolean;
  /** --out-format: one line per changed path in this format (image diff). */
  outFormat?: string;
  /** Path of rsync on the remote side (e.g. when it is not in PATH there). */
  remoteRsync?: string;
}

/** Everything a root filesystem carries: hard links, ACLs, xattrs, sparse files, owners by number. */
export const PRESERVE_ALL = ['-aHAXS', '--numeric-ids'] as const;

export function buildRsyncArgv(request: RsyncRequest, rsyncPath = 'rsync'): string[] {
  const argv = [rsyncPath];
  if (request.preserveAll) argv.push(...PRESERVE_ALL);
  if (request.delete) argv.push('--delete', ...(request.keepExcluded ? [] : ['--delete-excluded']));
  if (request.checksum) argv.push('--checksum');
  if (request.dryRun) argv.push('--dry-run');
  if (request.itemize) argv.push('--itemize-changes');
  if (request.outFormat) argv.push(`--out-format=${request.outFormat}`);
  const info = [request.progress ? 'progress2' : null, request.stats ? 'stats2' : null].filter(Boolean);
  if (info.length) argv.push(`--info=${info.join(',')}`);
  if (request.progress) argv.push('--no-human-readable');
  if (request.linkDest) argv.push(`--link-dest=${request.linkDest}`);
  for (const pattern of request.excludes ?? []) argv.push(`--exclude=${pattern}`);
  if (request.excludeFrom) argv.push(`--exclude-from=${request.excludeFrom}`);
  if (request.ssh) argv.push('-e', sshCommandForRsync(request.ssh));
  if (request.remoteRsync) argv.push(`--rsync-path=${request.remoteRsync}`);
  // Protect args: file names reach the remote rsync unchanged, not through its shell.
  if (request.ssh) argv.push('--protect-args');
  argv.push('--', request.source, request.destination);
  return argv;
}

/**
 * rsync splits its -e value itself (no shell is involved) and honours single quotes,
 * so each word is quoted that way when it holds a space or a quote.
 */
export function sshCommandForRsync(ssh: SshTransport): string {
  const words = ['ssh', ...opensshOptions(ssh)];
  return words.map(quoteForRsync).join(' ');
}

function quoteForRsync(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}


import type { RawProbe } from '../../core/layout/build-captured.js';

/** What the probe needs from a system: the golden client over ssh, or the local machine. */
export interface SystemAccess {
  exec(argv: readonly string[]): Promise<{ stdout: string; exitCode: number | null }>;
  readFile(path: string): Promise<string | null>;
}

export const FINDMNT_ARGV = ['findmnt', '--json', '--list', '--output', 'TARGET,SOURCE,FSTYPE,OPTIONS,UUID,LABEL'];

export type MountTable = Pick<RawProbe, 'findmnt' | 'swaps'>;

/**
 * The mount table and swap areas, which decide a capture's excludes before anything else is read. Apart from
 * the rest of the probe, so that a capture can ask for them before the layout code (and zod) is loaded.
 */
export async function collectMounts(system: SystemAccess): Promise<MountTable> {
  const [mounts, swaps] = await Promise.all([system.exec(FINDMNT_ARGV), system.readFile('/proc/swaps')]);
  return { findmnt: mounts.exitCode === 0 ? mounts.stdout : null, swaps };
}

import { incomingDir, versionDir, type HomePaths } from '../home.js';
import type { CapturedLayout } from '../layout/captured.js';
import { buildRsyncArgv, type SshTransport } from '../rsync/argv.js';
import { captureExcludes } from './excludes.js';
import { rsyncRootSource } from './target.js';

/** Paths a captured tree must hold to be a system at all; without them the capture is refused (--allow-empty). */
export const REQUIRED_PATHS: readonly string[] = ['/etc', '/usr'];

/** rsync exit 24: files vanished while a live system was copied; the copy is complete for everything else. */
export const CAPTURE_OK_EXIT_CODES: readonly number[] = [24];

export interface CapturePlanInput {
  image: string;
  target: { user: string; host: string };
  /** user@host:port as the user knows the golden client. */
  sourceLabel: string;
  paths: HomePaths;
  /** The image's current and last version numbers (null and 0 for a new image). */
  current: number | null;
  lastVersion: number;
  /** Whether a partial copy from an interrupted capture lies in .incoming (it is reused). */
  incomingExists: boolean;
  mounts: Pick<CapturedLayout, 'filesystems' | 'swap'> | null;
  userExcludes: readonly string[];
  ssh: SshTransport;
  progress: boolean;
  allowEmpty: boolean;
}

/** Everything a capture will do, decided before anything runs: what `si getimage --dry-run` prints. */
export interface CapturePlan {
  image: string;
  source: string;
  /** The version the capture makes, if it changes anything. */
  version: number;
  destination: string;
  resumesPartialCopy: boolean;
  /** Unchanged files are hard links into this version. */
  linkDest: string | null;
  excludes: string[];
  /** The copy the capture runs. */
  argv: string[];
  okExitCodes: readonly number[];
  /** Checked in the copied tree before it becomes a version; empty with --allow-empty. */
  requiredPaths: readonly string[];
  /** What a dry run runs instead: the same copy listed against the current version, nothing written. */
  preview: { destination: string; argv: string[] };
  /**
   * Run before the copy when there is a current version (unless --always): the differences from it, listed
   * and nothing written. None (and an unchanged layout) means no version: the copy, which would make a hard
   * link for every file, is not run at all.
   */
  changeCheck: string[] | null;
}

export function planCapture(input: CapturePlanInput): CapturePlan {
  const { image, paths, current } = input;
  const excludes = captureExcludes(input.mounts, input.userExcludes);
  const destination = incomingDir(paths, image);
  const linkDest = current === null ? null : versionDir(paths, image, current);
  const common = {
    source: rsyncRootSource(input.target.user, input.target.host),
    preserveAll: true,
    delete: true,
    excludes,
    ssh: input.ssh,
    progress: input.progress,
    stats: true,
  };
  // rsync -X with --link-dest cannot list into directories that do not exist yet (exit 23), so the preview
  // compares with the current version itself; a first capture compares with the (possibly absent) .incoming.
  const previewDestination = linkDest ?? destination;
  return {
    image,
    source: input.sourceLabel,
    version: input.lastVersion + 1,
    destination,
    resumesPartialCopy: input.incomingExists,
    linkDest,
    excludes,
    argv: buildRsyncArgv({ ...common, destination: `${destination}/`, linkDest: linkDest ?? undefined }),
    okExitCodes: CAPTURE_OK_EXIT_CODES,
    requiredPaths: input.allowEmpty ? [] : REQUIRED_PATHS,
    preview: { destination: previewDestination, argv: buildRsyncArgv({ ...common, destination: `${previewDestination}/`, dryRun: true }) },
    changeCheck:
      linkDest === null ? null : buildRsyncArgv({ ...common, progress: false, stats: false, destination: `${linkDest}/`, dryRun: true, outFormat: '%i %n' }),
  };
}

/** The refusal of a copied tree that lacks `missing` (from plan.requiredPaths). */
export function emptyCaptureMessage(plan: Pick<CapturePlan, 'image' | 'source' | 'excludes'>, missing: readonly string[]): string {
  return (
    `the capture of ${plan.source} holds no usable system (no ${missing.join(', no ')}), so ${plan.image} is unchanged: ` +
    `check the --exclude patterns (${plan.excludes.length} in use) or give --allow-empty to keep such a tree`
  );
}

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { checkName } from '../../core/names.js';
import { emptyCaptureMessage, planCapture, type CapturePlan } from '../../core/capture/plan-capture.js';
import { buildMountFacts } from '../../core/layout/mount-facts.js';
import type { CapturedLayout } from '../../core/layout/captured.js';
import { hostPattern } from '../../core/ssh/known-hosts.js';
import { lastProgress, parseStats, type RsyncProgress, type RsyncStats } from '../rsync/output.js';
import { run } from '../run.js';
import { collectProbe } from '../probe/collect.js';
import type { GoldenConnection } from './connect-golden.js';
import { LAYOUT_PATH, recordLayout, sameLayout } from './record-layout.js';
import { parseItemizedDiff } from '../../core/images/itemized-diff.js';
import type { ImageStore } from '../images/image-store.js';
import { isNoSpace, noSpaceError } from '../images/no-space.js';
import { explainRsyncFailure } from '../rsync/failure.js';

/** What to capture; where from is the connection's target. */
export interface CaptureRequest {
  image: string;
  excludes: string[];
  dryRun: boolean;
  /** Keep a copied tree that has no /etc or /usr (refused otherwise). */
  allowEmpty: boolean;
  /** Make a version even when nothing changed since the current one. */
  always?: boolean;
  onProgress?: (progress: RsyncProgress) => void;
  onPhase?: (phase: string) => void;
}

export interface CaptureSummary {
  image: string;
  version: number | null;
  previousVersion: number | null;
  /** Nothing changed since previousVersion: no copy was made and no version (version is null). */
  unchanged: boolean;
  dryRun: boolean;
  source: string;
  files: number;
  totalBytes: number;
  transferredFiles: number;
  bytesReceived: number;
  bytesSent: number;
  seconds: number;
  /** Of those: connecting and reading the mount table; then the copy, with the layout read beside it. */
  connectSeconds: number;
  copySeconds: number;
  excludes: string[];
  warnings: string[];
  bootloader: CapturedLayout['bootloader']['kind'];
  /** What the capture ran (or, on --dry-run, would run). */
  plan: CapturePlan;
}

/**
 * si getimage: the mount table (which decides the excludes) through the connection connectGolden() made,
 * then the whole root with rsync over that same OpenSSH connection into a new version, while the rest of
 * the layout is read beside it over ssh2. The connection is the caller's (started before this module
 * loaded, and closed by the caller); only the master goes here, as soon as the copy is done.
 */
export async function captureImage(store: ImageStore, connection: GoldenConnection, request: CaptureRequest): Promise<CaptureSummary> {
  const { target, started, ready } = connection;
  const source = `${target.user}@${hostPattern(target.host, target.port)}`;
  const { master, mounts, session } = await ready;
  let release = () => {};
  try {
    checkName('image', request.image);
    if (!request.dryRun) release = store.lock(request.image);
    const image = store.registry.findImage(request.image);
    const current = image?.currentVersion ?? null;
    const plan = planCapture({
      image: request.image,
      target,
      sourceLabel: source,
      paths: store.paths,
      current,
      lastVersion: image?.lastVersion ?? 0,
      incomingExists: fs.existsSync(store.incomingPath(request.image)),
      mounts: buildMountFacts(mounts.findmnt, mounts.swaps),
      userExcludes: request.excludes,
      ssh: master.transport,
      progress: Boolean(request.onProgress),
      allowEmpty: request.allowEmpty,
    });
    const copyStarted = process.hrtime.bigint();
    request.onPhase?.(request.dryRun ? 'listing what a capture would copy' : 'copying the golden client and recording its layout');
    // Beside the copy: the rest of the layout over ssh2, and the layout code with its schema (zod).
    const probing = (async () => {
      const ssh = await session;
      const [raw, previousLayout, { buildCapturedLayout }] = await Promise.all([
        collectProbe(ssh, mounts),
        ssh.readFile(LAYOUT_PATH),
        import('../../core/layout/build-captured.js'),
      ]);
      return { ssh, layout: buildCapturedLayout(raw), previousLayout };
    })();
    probing.catch(() => undefined);
    const check = request.dryRun || request.always ? null : plan.changeCheck;
    const copying = (async () => {
      // null: nothing changed, so no copy (a re-capture would otherwise make a hard link for every file).
      if (check && (await unchangedSince(check, plan.okExitCodes, probing))) return null;
      return run(request.dryRun ? plan.preview.argv : plan.argv, {
        okExitCodes: plan.okExitCodes,
        onStdout: request.onProgress
          ? (chunk) => {
              const progress = lastProgress(chunk);
              if (progress) request.onProgress?.(progress);
            }
          : undefined,
      });
    })();
    // The master serves the copy alone: it goes as soon as the copy ends, beside what follows. (A failure to
    // close shows when the caller closes the connection.)
    copying.then(() => master.close(), () => master.close()).catch(() => undefined);
    const [copied, probed] = await Promise.allSettled([copying, probing]);
    if (copied.status === 'rejected') throw failedCopy(store, request, copied.reason);
    if (probed.status === 'rejected') throw probed.reason;
    const { ssh, layout, previousLayout } = probed.value;
    const stats = parseStats(copied.value?.stdout ?? '');
    const warnings = [...layout.warnings, ...(copied.value?.exitCode === 24 ? ['some files vanished during the copy (rsync exit 24)'] : [])];
    const summary = { request, source, layout, plan, stats, warnings, current, started, copyStarted, unchanged: copied.value === null };
    if (request.dryRun || copied.value === null) return summarize({ ...summary, version: null });
    const missing = plan.requiredPaths.filter((p) => !isDirectory(path.join(plan.destination, p)));
    if (missing.length > 0) {
      store.discardIncoming(request.image);
      throw new UserError(emptyCaptureMessage(plan, missing));
    }
    try {
      await recordLayout({ session: ssh, tree: plan.destination, layout, previous: previousLayout });
      const version = commit(store, request, source, layout, plan.excludes, stats);
      return summarize({ ...summary, version });
    } catch (error) {
      throw failedCopy(store, request, error);
    }
  } finally {
    release();
  }
}

/**
 * A full SI_HOME: the partial copy is what fills it, so it goes, and the error says how much is free.
 * Any other failure keeps the partial copy: the next capture of the image resumes from it. rsync's failures
 * name their cause (the line before its summary).
 */
function failedCopy(store: ImageStore, request: CaptureRequest, error: unknown): unknown {
  if (request.dryRun) return explainRsyncFailure(error, 'nothing was changed');
  if (isNoSpace(error)) {
    store.discardIncoming(request.image);
    return noSpaceError(store.paths.home, 'copy');
  }
  const incoming = store.incomingPath(request.image);
  const partial = fs.existsSync(incoming)
    ? `the partial copy in ${incoming} is kept and the next capture of ${request.image} resumes from it`
    : `${request.image} is unchanged`;
  return explainRsyncFailure(error, partial);
}

/** The change check: no difference listed against the current version, and the layout the same but for its time. */
async function unchangedSince(argv: string[], okExitCodes: readonly number[], probing: Promise<{ layout: CapturedLayout; previousLayout: string | null }>): Promise<boolean> {
  const listed = await run(argv, { okExitCodes });
  const diff = parseItemizedDiff(listed.stdout);
  if (diff.added.length + diff.removed.length + diff.changed.length > 0) return false;
  const { layout, previousLayout } = await probing;
  return previousLayout !== null && sameLayout(previousLayout, layout);
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function commit(store: ImageStore, request: CaptureRequest, source: string, layout: CapturedLayout, excludes: string[], stats: RsyncStats): number {
  const version = store.commitIncoming({
    image: request.image,
    origin: 'capture',
    createdAt: new Date().toISOString(),
    source,
    sizeBytes: stats.totalSize,
    fileCount: stats.files,
    layout,
    excludes,
    note: '',
  });
  return version.number;
}

function summarize(options: {
  request: CaptureRequest;
  source: string;
  layout: CapturedLayout;
  plan: CapturePlan;
  stats: RsyncStats;
  warnings: string[];
  version: number | null;
  current: number | null;
  unchanged: boolean;
  started: bigint;
  copyStarted: bigint;
}): CaptureSummary {
  const { request, source, layout, plan, stats, warnings, version, current, unchanged, started, copyStarted } = options;
  const now = process.hrtime.bigint();
  return {
    image: request.image,
    version,
    previousVersion: current,
    unchanged,
    dryRun: request.dryRun,
    source,
    files: stats.files,
    totalBytes: stats.totalSize,
    transferredFiles: stats.transferredFiles,
    bytesReceived: stats.bytesReceived,
    bytesSent: stats.bytesSent,
    seconds: Number(now - started) / 1e9,
    connectSeconds: Number(copyStarted - started) / 1e9,
    copySeconds: Number(now - copyStarted) / 1e9,
    excludes: plan.excludes,
    warnings,
    bootloader: layout.bootloader.kind,
    plan,
  };
}

import fs from 'node:fs';
import os from 'node:os';
import { checkName } from '../../core/names.js';
import { captureExcludes } from '../../core/capture/excludes.js';
import { rsyncRootSource } from '../../core/capture/target.js';
import { buildMountFacts } from '../../core/layout/mount-facts.js';
import type { CapturedLayout } from '../../core/layout/captured.js';
import { hostPattern } from '../../core/ssh/known-hosts.js';
import { buildRsyncArgv } from '../rsync/argv.js';
import { lastProgress, parseStats, type RsyncProgress, type RsyncStats } from '../rsync/output.js';
import { run } from '../run.js';
import { collectProbe } from '../probe/collect.js';
import type { GoldenConnection } from './connect-golden.js';
import { LAYOUT_PATH, recordLayout } from './record-layout.js';
import type { ImageStore } from '../images/image-store.js';

/** What to capture; where from is the connection's target. */
export interface CaptureRequest {
  image: string;
  excludes: string[];
  dryRun: boolean;
  onProgress?: (progress: RsyncProgress) => void;
  onPhase?: (phase: string) => void;
}

export interface CaptureSummary {
  image: string;
  version: number | null;
  previousVersion: number | null;
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
  let scratch: string | null = null;
  let release = () => {};
  try {
    checkName('image', request.image);
    if (!request.dryRun) release = store.lock(request.image);
    const excludes = captureExcludes(buildMountFacts(mounts.findmnt, mounts.swaps), request.excludes);
    const copyStarted = process.hrtime.bigint();
    const current = store.registry.findImage(request.image)?.currentVersion ?? null;
    const destination = copyDestination(store, request, current);
    if (request.dryRun && current === null) scratch = destination;
    const argv = buildRsyncArgv({
      source: rsyncRootSource(target.user, target.host),
      destination: `${destination}/`,
      preserveAll: true,
      delete: true,
      linkDest: current === null || request.dryRun ? undefined : store.versionPath(request.image, current),
      excludes,
      ssh: master.transport,
      progress: Boolean(request.onProgress),
      stats: true,
      dryRun: request.dryRun,
    });
    request.onPhase?.(request.dryRun ? 'listing what a capture would copy' : 'copying the golden client and recording its layout');
    // Exit 24: files vanished while a live system was copied; the copy is complete for everything else.
    const copying = run(argv, {
      okExitCodes: [24],
      onStdout: request.onProgress
        ? (chunk) => {
            const progress = lastProgress(chunk);
            if (progress) request.onProgress?.(progress);
          }
        : undefined,
    });
    // The master serves the copy alone: it goes as soon as the copy ends, beside what follows. (A failure to
    // close shows when the caller closes the connection.)
    copying.then(() => master.close(), () => master.close()).catch(() => undefined);
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
    const [copied, probed] = await Promise.allSettled([copying, probing]);
    if (copied.status === 'rejected') throw copied.reason;
    if (probed.status === 'rejected') throw probed.reason;
    const { ssh, layout, previousLayout } = probed.value;
    const stats = parseStats(copied.value.stdout);
    const warnings = [...layout.warnings, ...(copied.value.exitCode === 24 ? ['some files vanished during the copy (rsync exit 24)'] : [])];
    if (request.dryRun) return summarize({ request, source, layout, excludes, stats, warnings, version: null, current, started, copyStarted });
    await recordLayout({ session: ssh, tree: destination, layout, previous: previousLayout });
    const version = commit(store, request, source, layout, excludes, stats);
    return summarize({ request, source, layout, excludes, stats, warnings, version, current, started, copyStarted });
  } finally {
    release();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** A dry run compares against the current version (read-only with --dry-run) to show what would change. */
function copyDestination(store: ImageStore, request: CaptureRequest, current: number | null): string {
  const destination = !request.dryRun
    ? store.incomingPath(request.image)
    : current === null
      ? fs.mkdtempSync(`${os.tmpdir()}/si-dry-`)
      : store.versionPath(request.image, current);
  fs.mkdirSync(destination, { recursive: true });
  return destination;
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
  excludes: string[];
  stats: RsyncStats;
  warnings: string[];
  version: number | null;
  current: number | null;
  started: bigint;
  copyStarted: bigint;
}): CaptureSummary {
  const { request, source, layout, excludes, stats, warnings, version, current, started, copyStarted } = options;
  const now = process.hrtime.bigint();
  return {
    image: request.image,
    version,
    previousVersion: current,
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
    excludes,
    warnings,
    bootloader: layout.bootloader.kind,
  };
}

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
import type { SshSession } from '../ssh/session.js';
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
 * si getimage: over ssh2, the mount table (which decides the excludes); then the whole root with rsync
 * over OpenSSH into a new version while the rest of the layout is read beside it. `connection` is the
 * connectGolden() the caller started before loading this module; the session is closed here.
 */
export async function captureImage(store: ImageStore, connection: GoldenConnection, request: CaptureRequest): Promise<CaptureSummary> {
  const { target, started, ready } = connection;
  const source = `${target.user}@${hostPattern(target.host, target.port)}`;
  const { session, mounts } = await ready;
  // From here on the session is ours to close, whatever happens.
  const release = lockOrClose(store, request, session);
  let scratch: string | null = null;
  try {
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
      ssh: { port: target.port, keyPath: target.keyPath, knownHostsFile: target.knownHostsFile },
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
    // The layout code (and its schema, zod) loads beside the copy: nothing before the copy needs it.
    const probing = Promise.all([collectProbe(session, mounts), session.readFile(LAYOUT_PATH), import('../../core/layout/build-captured.js')]);
    const [copied, probed] = await Promise.allSettled([copying, probing]);
    if (copied.status === 'rejected') throw copied.reason;
    if (probed.status === 'rejected') throw probed.reason;
    const [raw, previousLayout, { buildCapturedLayout }] = probed.value;
    const layout = buildCapturedLayout(raw);
    const stats = parseStats(copied.value.stdout);
    const warnings = [...layout.warnings, ...(copied.value.exitCode === 24 ? ['some files vanished during the copy (rsync exit 24)'] : [])];
    if (request.dryRun) return summarize({ request, source, layout, excludes, stats, warnings, version: null, current, started, copyStarted });
    await recordLayout({ session, tree: destination, layout, previous: previousLayout });
    const version = commit(store, request, source, layout, excludes, stats);
    return summarize({ request, source, layout, excludes, stats, warnings, version, current, started, copyStarted });
  } finally {
    release();
    session.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function lockOrClose(store: ImageStore, request: CaptureRequest, session: SshSession): () => void {
  try {
    checkName('image', request.image);
    return request.dryRun ? () => {} : store.lock(request.image);
  } catch (error) {
    session.close();
    throw error;
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

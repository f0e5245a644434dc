import fs from 'node:fs';
import os from 'node:os';
import { checkName } from '../../core/names.js';
import { captureExcludes } from '../../core/capture/excludes.js';
import { rsyncRootSource } from '../../core/capture/target.js';
import { buildCapturedLayout } from '../../core/layout/build-captured.js';
import type { CapturedLayout } from '../../core/layout/captured.js';
import { hostPattern } from '../../core/ssh/known-hosts.js';
import { buildRsyncArgv } from '../rsync/argv.js';
import { lastProgress, parseStats, type RsyncProgress, type RsyncStats } from '../rsync/output.js';
import { run } from '../run.js';
import { collectProbe } from '../probe/collect.js';
import { defaultKeyCandidates, SshSession } from '../ssh/session.js';
import type { ImageStore } from '../images/image-store.js';

export interface CaptureRequest {
  image: string;
  host: string;
  port: number;
  user: string;
  keyPath?: string;
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
  /** Of those: connecting and recording the layout, then the copy itself. */
  layoutSeconds: number;
  copySeconds: number;
  excludes: string[];
  warnings: string[];
  bootloader: CapturedLayout['bootloader']['kind'];
}

/** The path prepareclient writes on the golden client; it travels into the image with the rest. */
export const LAYOUT_PATH = '/etc/sisuite/layout.json';

/** si getimage: layout over ssh2, then the whole root with rsync over OpenSSH into a new version. */
export async function captureImage(store: ImageStore, request: CaptureRequest): Promise<CaptureSummary> {
  checkName('image', request.image);
  const started = process.hrtime.bigint();
  const keyPath = request.keyPath ?? defaultKeyCandidates(store.paths.sshKey).find((k) => fs.existsSync(k));
  const target = { host: request.host, port: request.port, user: request.user, keyPath, knownHostsFile: store.paths.knownHosts };

  request.onPhase?.(`connecting to ${request.user}@${hostPattern(request.host, request.port)}`);
  const session = await SshSession.connect(target);
  let layout: CapturedLayout;
  try {
    request.onPhase?.('recording the disk layout');
    layout = buildCapturedLayout(await collectProbe(session));
    if (!request.dryRun) await recordLayoutOnClient(session, layout);
  } finally {
    session.close();
  }

  const layoutDone = process.hrtime.bigint();
  const excludes = captureExcludes(layout, request.excludes);
  const release = request.dryRun ? () => {} : store.lock(request.image);
  try {
    const current = store.registry.findImage(request.image)?.currentVersion ?? null;
    // A dry run compares against the current version (read-only with --dry-run) to show what would change.
    const destination = request.dryRun
      ? current === null
        ? fs.mkdtempSync(`${os.tmpdir()}/si-dry-`)
        : store.versionPath(request.image, current)
      : store.incomingPath(request.image);
    fs.mkdirSync(destination, { recursive: true });
    const argv = buildRsyncArgv({
      source: rsyncRootSource(request.user, request.host),
      destination: `${destination}/`,
      preserveAll: true,
      delete: true,
      linkDest: current === null || request.dryRun ? undefined : store.versionPath(request.image, current),
      excludes,
      ssh: { port: request.port, keyPath, knownHostsFile: store.paths.knownHosts },
      progress: Boolean(request.onProgress),
      stats: true,
      dryRun: request.dryRun,
    });
    request.onPhase?.(request.dryRun ? 'listing what a capture would copy' : 'copying the golden client');
    // Exit 24: files vanished while a live system was copied; the copy is complete for everything else.
    const result = await run(argv, {
      okExitCodes: [24],
      onStdout: request.onProgress
        ? (chunk) => {
            const progress = lastProgress(chunk);
            if (progress) request.onProgress?.(progress);
          }
        : undefined,
    });
    const stats = parseStats(result.stdout);
    const warnings = [...layout.warnings, ...(result.exitCode === 24 ? ['some files vanished during the copy (rsync exit 24)'] : [])];
    const version = request.dryRun ? null : commit(store, request, layout, excludes, stats);
    return summarize({ request, layout, excludes, stats, warnings, version, current, started, layoutDone });
  } finally {
    release();
  }
}

/** Rewrites the client's layout.json only when the layout itself changed, so a re-capture of an unchanged client copies nothing new. */
async function recordLayoutOnClient(session: SshSession, layout: CapturedLayout): Promise<void> {
  const previous = await session.readFile(LAYOUT_PATH);
  if (previous !== null && sameLayout(previous, layout)) return;
  await session.writeFile(LAYOUT_PATH, `${JSON.stringify(layout, null, 2)}\n`);
}

function sameLayout(text: string, layout: CapturedLayout): boolean {
  try {
    const { capturedAt: _old, ...before } = JSON.parse(text) as CapturedLayout;
    const { capturedAt: _new, ...after } = layout;
    return JSON.stringify(before) === JSON.stringify(after);
  } catch {
    return false;
  }
}

function commit(store: ImageStore, request: CaptureRequest, layout: CapturedLayout, excludes: string[], stats: RsyncStats): number {
  const version = store.commitIncoming({
    image: request.image,
    origin: 'capture',
    createdAt: new Date().toISOString(),
    source: `${request.user}@${hostPattern(request.host, request.port)}`,
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
  layout: CapturedLayout;
  excludes: string[];
  stats: RsyncStats;
  warnings: string[];
  version: number | null;
  current: number | null;
  started: bigint;
  layoutDone: bigint;
}): CaptureSummary {
  const { request, layout, excludes, stats, warnings, version, current, started, layoutDone } = options;
  const now = process.hrtime.bigint();
  return {
    image: request.image,
    version,
    previousVersion: current,
    dryRun: request.dryRun,
    source: `${request.user}@${hostPattern(request.host, request.port)}`,
    files: stats.files,
    totalBytes: stats.totalSize,
    transferredFiles: stats.transferredFiles,
    bytesReceived: stats.bytesReceived,
    bytesSent: stats.bytesSent,
    seconds: Number(now - started) / 1e9,
    layoutSeconds: Number(layoutDone - started) / 1e9,
    copySeconds: Number(now - layoutDone) / 1e9,
    excludes,
    warnings,
    bootloader: layout.bootloader.kind,
  };
}

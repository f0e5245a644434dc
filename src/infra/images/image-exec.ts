import { UserError } from '../../core/errors.js';
import { CHROOT_ENV } from '../../core/images/exec-plan.js';
import type { ImageDiff } from '../../core/images/itemized-diff.js';
import type { VersionRow } from '../../core/registry/image-records.js';
import { capture } from '../run.js';
import { ExecLayer } from './exec-layer.js';
import { commitTree } from './commit-tree.js';
import { diffTrees } from './image-diff.js';
import type { ImageStore } from './image-store.js';

export interface ExecRequest {
  image: string;
  /** The command run chrooted in the image (argv; a shell only when the user gives one). */
  argv: string[];
  /** An interactive program on si's console (si image shell). */
  console?: boolean;
  dryRun?: boolean;
  /** Never commit (si image shell --abort): the layer is thrown away whatever the exit. */
  abort?: boolean;
  /** Commit even when nothing changed. */
  always?: boolean;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
}

export type ExecOutcome =
  | { kind: 'committed'; from: number; version: VersionRow; diff: ImageDiff }
  | { kind: 'dry-run' | 'aborted'; from: number; diff: ImageDiff }
  | { kind: 'unchanged'; from: number };

/**
 * si image exec / si image shell: runs a program chrooted in a writable layer over the current version and,
 * when it exits 0, commits the layer as a new version (hard links to the previous one for every unchanged
 * file). A failed or stopped program, --abort and --dry-run commit nothing; every mount and the layer go in all
 * cases. SIGTERM and SIGHUP stop the program (SIGINT too, unless it is on the console, where ^C is the shell's).
 */
export async function execInImage(store: ImageStore, request: ExecRequest): Promise<ExecOutcome> {
  const current = store.currentVersion(store.requireImage(request.image).name);
  if (!current) throw new UserError(`image ${request.image} has no version to run in: capture or build it first`);
  const release = store.lock(request.image);
  const lower = store.versionPath(request.image, current.number);
  const stop = stopSignals(request.console ? ['SIGTERM', 'SIGHUP'] : ['SIGINT', 'SIGTERM', 'SIGHUP']);
  let layer: ExecLayer | undefined;
  try {
    layer = await ExecLayer.open(store.paths.versions, request.image, lower);
    const result = await capture(['chroot', layer.dirs.merged, ...request.argv], {
      env: CHROOT_ENV,
      console: request.console,
      group: !request.console,
      signal: stop.signal,
      onStdout: request.onStdout,
      onStderr: request.onStderr,
    });
    if (stop.signal.aborted) throw new UserError(`si image ${request.console ? 'shell' : 'exec'} was stopped: ${request.image} is unchanged (still version ${current.number})`, 130);
    if (result.exitCode !== 0) {
      const how = result.exitCode === null ? 'could not run or was killed' : `exited with ${result.exitCode}`;
      throw new UserError(`${request.argv.join(' ')} ${how} in ${request.image}: no version was made (still version ${current.number})`, result.exitCode || 1);
    }
    const view = await layer.commitView();
    const diff = await diffTrees(lower, view);
    const empty = diff.added.length + diff.removed.length + diff.changed.length === 0;
    if (empty && !request.always && !request.dryRun) return { kind: 'unchanged', from: current.number };
    if (request.dryRun || request.abort) return { kind: request.dryRun ? 'dry-run' : 'aborted', from: current.number, diff };
    const version = await commitTree(store, {
      image: request.image,
      tree: view,
      previous: current,
      origin: request.console ? 'shell' : 'exec',
      source: request.console ? 'si image shell' : shortSource(request.argv),
    });
    return { kind: 'committed', from: current.number, version, diff };
  } finally {
    try {
      await layer?.close();
    } finally {
      stop.dispose();
      release();
    }
  }
}

/** The version's source column: the command, cut to a line a table can show. */
function shortSource(argv: readonly string[]): string {
  const text = `exec ${argv.join(' ')}`;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** onStopSignals with a choice of signals (the console keeps ^C for the shell). */
function stopSignals(signals: NodeJS.Signals[]): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  for (const name of signals) process.on(name, stop);
  return { signal: controller.signal, dispose: () => signals.forEach((name) => process.off(name, stop)) };
}


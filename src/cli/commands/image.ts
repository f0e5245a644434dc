import type { Command } from 'commander';
import path from 'node:path';
import { checkExistingName, checkName } from '../../core/names.js';
import { parseVersionNumber } from '../../core/images/version-plans.js';
import { diffTrees } from '../../infra/images/image-diff.js';
import { copyImage } from '../../infra/images/copy-image.js';
import { unmountBelow } from '../../infra/fs/mounts.js';
import { withStore } from '../context.js';
import { formatBytes, printJson, printLine, printTable } from '../output.js';
import { createProgress } from '../progress.js';

interface JsonOption {
  json?: boolean;
}

interface DryRunOption {
  dryRun?: boolean;
}

export async function imageListCommand(options: JsonOption, command: Command): Promise<void> {
  await withStore(command, (store) => {
    const rows = store.registry.listImages().map((image) => {
      const current = image.currentVersion === null ? undefined : store.registry.findVersion(image.name, image.currentVersion);
      return { ...image, versions: store.registry.listVersions(image.name).length, sizeBytes: current?.sizeBytes ?? 0, source: current?.source ?? '' };
    });
    if (options.json) return printJson(rows);
    if (rows.length === 0) return printLine('no images: capture one with si getimage');
    printTable(
      ['IMAGE', 'VERSION', 'VERSIONS', 'SIZE', 'SOURCE', 'UPDATED'],
      rows.map((r) => [r.name, r.currentVersion ?? '-', r.versions, formatBytes(r.sizeBytes), r.source, r.updatedAt]),
    );
  });
}

export async function imageShowCommand(name: string, options: JsonOption, command: Command): Promise<void> {
  await withStore(command, (store) => {
    const image = store.requireImage(name);
    const current = store.currentVersion(name);
    const shown = { ...image, path: `${store.paths.images}/${name}`, current };
    if (options.json) return printJson(shown);
    printLine(`image        ${image.name}`);
    printLine(`version      ${image.currentVersion ?? '-'} (of ${store.registry.listVersions(name).length})`);
    printLine(`path         ${shown.path}`);
    printLine(`origin       ${image.origin}`);
    if (!current) return;
    printLine(`source       ${current.source}`);
    printLine(`size         ${formatBytes(current.sizeBytes)} in ${current.fileCount} files`);
    printLine(`captured     ${current.createdAt}`);
    const layout = current.layout;
    if (!layout) return;
    printLine(`bootloader   ${layout.bootloader.kind}`);
    for (const fs of layout.filesystems.filter((f) => f.local)) printLine(`filesystem   ${fs.mountpoint} ${fs.fstype} ${fs.uuid ?? ''}`.trimEnd());
    for (const k of layout.boot.kernels) printLine(`kernel       ${k.version}`);
    printLine(`machine-id   ${layout.identity.machineId ?? '-'} (replaced on every installed host)`);
  });
}

export async function imageVersionsCommand(name: string, options: JsonOption, command: Command): Promise<void> {
  await withStore(command, (store) => {
    const image = store.requireImage(name);
    const versions = store.registry.listVersions(name).map(({ layout: _layout, ...v }) => ({ ...v, current: v.number === image.currentVersion }));
    if (options.json) return printJson(versions);
    printTable(
      ['VERSION', 'CURRENT', 'CREATED', 'SOURCE', 'FILES', 'SIZE'],
      versions.map((v) => [v.number, v.current ? '*' : '', v.createdAt, v.source, v.fileCount, formatBytes(v.sizeBytes)]),
    );
  });
}

export async function imageDiffCommand(name: string, from: string, to: string, options: JsonOption, command: Command): Promise<void> {
  await withStore(command, async (store) => {
    store.requireImage(name);
    const a = store.requireVersion(name, parseVersionNumber(from)).number;
    const b = store.requireVersion(name, parseVersionNumber(to)).number;
    const diff = await diffTrees(store.versionPath(name, a), store.versionPath(name, b));
    if (options.json) return printJson({ image: name, from: a, to: b, ...diff });
    for (const path of diff.added) printLine(`+ ${path}`);
    for (const path of diff.removed) printLine(`- ${path}`);
    for (const path of diff.changed) printLine(`M ${path}`);
    printLine(`${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed`);
  });
}

export async function imageRollbackCommand(name: string, version: string | undefined, options: JsonOption, command: Command): Promise<void> {
  await withStore(command, (store) => {
    const target = version === undefined ? undefined : parseVersionNumber(version);
    const result = store.rollback(checkName('image', name), target);
    if (options.json) return printJson({ image: name, ...result });
    printLine(`${name}: version ${result.from ?? '-'} -> ${result.to}`);
  });
}

export async function imageRmCommand(name: string, options: JsonOption & DryRunOption, command: Command): Promise<void> {
  await withStore(command, async (store) => {
    const dryRun = Boolean(options.dryRun);
    // A build killed mid-way can leave debootstrap's /proc and /sys mounted in its tree: those go first.
    if (!dryRun) await unmountBelow(path.join(store.paths.versions, checkExistingName('image', name)));
    const plan = store.remove(name, { dryRun });
    if (options.json) return printJson({ ...plan, removed: plan.image, dryRun });
    const would = dryRun ? 'dry run: would remove' : 'removed';
    if (!plan.registered) printLine(`${would} what failed or interrupted work left of ${name} (it has no versions): ${plan.paths.join(' ')}`);
    else printLine(`${would} image ${name} and all its versions (${plan.versions.join(', ') || 'none'})`);
  });
}

export async function imageCpCommand(source: string, destination: string, options: JsonOption, command: Command): Promise<void> {
  checkName('image', destination);
  const progress = createProgress({ quiet: Boolean(options.json) });
  await withStore(command, async (store) => {
    // Refusals come before the first progress line: a refused copy prints one line only.
    store.requireImage(source);
    store.refuseExisting(destination);
    progress.phase(`copying ${source} to ${destination}`);
    const version = await copyImage(store, source, destination, (p) => progress.update(p)).finally(() => progress.stop());
    if (options.json) return printJson({ image: destination, version: version.number, source: version.source });
    printLine(`copied ${source} to ${destination} (version ${version.number})`);
  });
}

export async function imageMvCommand(source: string, destination: string, options: JsonOption, command: Command): Promise<void> {
  await withStore(command, (store) => {
    store.move(source, destination);
    if (options.json) return printJson({ from: source, to: destination });
    printLine(`renamed image ${source} to ${destination}`);
  });
}

export async function imageGcCommand(name: string, options: JsonOption & DryRunOption & { keep: string }, command: Command): Promise<void> {
  await withStore(command, (store) => {
    const dryRun = Boolean(options.dryRun);
    const removed = store.gc(name, Number(options.keep), { dryRun });
    if (options.json) return printJson({ image: name, removed, dryRun });
    const would = dryRun ? 'dry run: would remove' : 'removed';
    printLine(removed.length ? `${name}: ${would} versions ${removed.join(', ')}` : `${name}: nothing to remove`);
  });
}

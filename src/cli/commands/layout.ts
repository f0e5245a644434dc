import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { checkName } from '../../core/names.js';
import { parseDiskLayout } from '../../core/layout/disk-layout.js';
import { parseSizeSpec } from '../../core/layout/disk-layout-size.js';
import { MIB } from '../../core/layout/partition-plan.js';
import type { DiskLayout } from '../../core/layout/disk-layout.js';
import { fitDisks, type DiskFit } from '../../core/layout/fit-disks.js';
import { describeFitProblem, layoutMounts, type MountUsage } from '../../core/layout/image-fit.js';
import { measureTree } from '../../infra/layout/measure-tree.js';
import type { ImageStore } from '../../infra/images/image-store.js';
import type { InstallLayout } from '../../core/layout/install-layout.js';
import { installLayoutOf } from '../../infra/images/install-layout.js';
import { withStore } from '../context.js';
import { note, printJson, printLine, printTable } from '../output.js';
import { readText } from '../input.js';

export async function layoutShowCommand(options: { image: string; json?: boolean }, command: Command): Promise<void> {
  await withStore(command, (store) => {
    const resolved = installLayoutOf(store, checkName('image', options.image));
    if (options.json) return printJson(resolved);
    note(`# layout of ${options.image}: ${describeSource(resolved)}`);
    printLine(JSON.stringify(resolved.layout, null, 2));
  });
}

export async function layoutSetCommand(options: { image: string; file: string; json?: boolean }, command: Command): Promise<void> {
  const image = checkName('image', options.image);
  const text = readText(options.file, 'layout');
  const layout = parseDiskLayout(text, { source: options.file });
  await withStore(command, (store) => {
    // The transaction rule: the image cannot go between the check and the write.
    store.clients.writeTransaction(() => store.clients.saveLayoutText(store.requireImage(image).name, `${JSON.stringify(layout, null, 2)}\n`, new Date().toISOString()));
    if (options.json) return printJson({ image, layout });
    printLine(`set the install layout of ${image} from ${options.file}; run si mkautoinstallscript --image ${image} to use it`);
  });
}

interface CheckOptions {
  image?: string;
  file?: string;
  diskSize: string[];
  json?: boolean;
}

/**
 * Validates a layout and plans it on disks of the given sizes. With --image, the image's current tree is
 * measured per mount point and must fit its filesystems; disks without --disk-size are then the smallest the
 * image fits (else the smallest the layout allows). --file with --image checks that file against the image.
 */
export async function layoutCheckCommand(options: CheckOptions, command: Command): Promise<void> {
  if (!options.file && !options.image) throw new UserError('give --image NAME or --file layout.json to check');
  const given = options.diskSize.map(parseDiskSize);
  const image = options.image === undefined ? undefined : checkName('image', options.image);
  const fromFile = options.file ? parseDiskLayout(readText(options.file, 'layout'), { source: options.file }) : undefined;
  if (image === undefined) return report(options, { layout: fromFile as DiskLayout, source: 'set', note: null }, fitDisks({ layout: fromFile as DiskLayout, given }), null);
  await withStore(command, (store) => {
    const resolved: InstallLayout = fromFile ? { layout: fromFile, source: 'set', note: null } : installLayoutOf(store, image);
    const tree = currentTree(store, image);
    const usage = tree === null ? undefined : measureTree(tree, layoutMounts(resolved.layout));
    const fit = fitDisks({ layout: resolved.layout, given, usage });
    if (fit.problems.length > 0) throw new UserError(describeFitProblem(image, fit.problems));
    report(options, resolved, fit, usage ?? null);
  });
}

function report(options: CheckOptions, resolved: InstallLayout, fit: DiskFit, usage: ReadonlyMap<string, MountUsage> | null): void {
  const { plan } = fit;
  const image = usage === null ? null : { image: options.image, disksGrown: fit.grown, usage: Object.fromEntries(usage) };
  if (options.json) return printJson({ source: resolved.source, note: resolved.note, plan, fit: image });
  if (options.file) printLine(`${options.file}: valid`);
  else printLine(`layout of ${options.image}: valid (${describeSource(resolved)})`);
  if (usage !== null) {
    const total = [...usage.values()].reduce((sum, u) => ({ bytes: sum.bytes + u.bytes, inodes: sum.inodes + u.inodes }), { bytes: 0, inodes: 0 });
    const where = fit.grown ? `; disks without --disk-size are the smallest it fits` : '';
    printLine(`image ${options.image} (${Math.ceil(total.bytes / MIB)} MiB in ${total.inodes} files) fits${where}`);
  } else if (options.image) {
    printLine(`image ${options.image} has no current version to measure`);
  }
  for (const disk of plan.disks) {
    printLine(`${disk.path} (${disk.table}, ${disk.sizeMiB} MiB)`);
    printTable(
      ['#', 'START MiB', 'SIZE MiB', 'TYPE', 'FILESYSTEM', 'MOUNT'],
      disk.partitions.map((p) => [p.number, p.startMiB, p.sizeMiB, p.type, p.filesystem?.type ?? '-', p.filesystem?.mount ?? '-']),
    );
  }
}

/** The tree of the image's current version, or null when it has none. */
function currentTree(store: ImageStore, image: string): string | null {
  const version = store.currentVersion(image);
  return version === null ? null : store.versionPath(image, version.number);
}

function parseDiskSize(text: string): number {
  const spec = parseSizeSpec(text);
  if (!spec || spec.kind !== 'mib') throw new UserError(`invalid --disk-size ${JSON.stringify(text)}: give a size such as 40GiB or 512MiB`);
  return spec.mib * MIB;
}

function describeSource(resolved: InstallLayout): string {
  if (resolved.source === 'set') return 'set with si layout set';
  if (resolved.source === 'captured') return 'derived from the golden client';
  return `standard layout, because ${resolved.note}`;
}


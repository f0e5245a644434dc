import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { checkName } from '../../core/names.js';
import { parseDiskLayout } from '../../core/layout/disk-layout.js';
import { parseSizeSpec } from '../../core/layout/disk-layout-size.js';
import { minimumDiskMiB, planPartitions, MIB } from '../../core/layout/partition-plan.js';
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

/** Validates a layout and plans it on disks of the given sizes (default: the smallest disks it fits). */
export async function layoutCheckCommand(options: CheckOptions, command: Command): Promise<void> {
  if (!options.file && !options.image) throw new UserError('give --image NAME or --file layout.json to check');
  const sizes = options.diskSize.map(parseDiskSize);
  const check = (resolved: InstallLayout) => {
    const layout = resolved.layout;
    const disks = layout.disks.map((disk, index) => ({
      path: disk.path ?? `/dev/disk${index}`,
      sizeBytes: sizes[index] ?? minimumDiskMiB(disk) * MIB + 2 * MIB,
    }));
    const plan = planPartitions({ layout, disks });
    if (options.json) return printJson({ source: resolved.source, note: resolved.note, plan });
    if (options.file) printLine(`${options.file}: valid`);
    else printLine(`layout of ${options.image}: valid (${describeSource(resolved)})`);
    for (const disk of plan.disks) {
      printLine(`${disk.path} (${disk.table}, ${disk.sizeMiB} MiB)`);
      printTable(
        ['#', 'START MiB', 'SIZE MiB', 'TYPE', 'FILESYSTEM', 'MOUNT'],
        disk.partitions.map((p) => [p.number, p.startMiB, p.sizeMiB, p.type, p.filesystem?.type ?? '-', p.filesystem?.mount ?? '-']),
      );
    }
  };
  if (options.file) {
    const layout = parseDiskLayout(readText(options.file, 'layout'), { source: options.file });
    return check({ layout, source: 'set', note: null });
  }
  await withStore(command, (store) => check(installLayoutOf(store, checkName('image', options.image as string))));
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


import fs from 'node:fs';
import path from 'node:path';
import { buildCapturedLayout } from '../../core/layout/build-captured.js';
import { collectProbe } from '../../infra/probe/collect.js';
import { localSystem } from '../../infra/probe/local-system.js';
import { LAYOUT_PATH } from '../../infra/capture/record-layout.js';
import { note, printJson, printLine } from '../output.js';

interface PrepareclientOptions {
  output: string;
  dryRun?: boolean;
  json?: boolean;
}

/** si prepareclient: on the golden client, records its layout where getimage (and the image) find it. */
export async function prepareclientCommand(options: PrepareclientOptions): Promise<void> {
  const layout = buildCapturedLayout(await collectProbe(localSystem));
  if (!options.dryRun) {
    fs.mkdirSync(path.dirname(options.output), { recursive: true });
    const temporary = `${options.output}.si-new`;
    fs.writeFileSync(temporary, `${JSON.stringify(layout, null, 2)}\n`);
    fs.renameSync(temporary, options.output);
  }
  if (options.json) return printJson(layout);
  for (const warning of layout.warnings) note(`warning: ${warning}`);
  printLine(`${options.dryRun ? 'would record' : 'recorded'} the layout of ${layout.hostname || 'this host'} in ${options.output}`);
  for (const disk of layout.disks) printLine(`  disk ${disk.path} ${disk.table ?? 'no table'} ${disk.partitions.length} partitions`);
  for (const fs of layout.filesystems.filter((f) => f.local)) printLine(`  ${fs.mountpoint} ${fs.fstype}`);
  printLine(`  bootloader ${layout.bootloader.kind}`);
}


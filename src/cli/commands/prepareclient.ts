import { writeFileAtomic } from '../../infra/fs/atomic-write.js';
import { buildCapturedLayout } from '../../core/layout/build-captured.js';
import { collectProbe } from '../../infra/probe/collect.js';
import { localSystem } from '../../infra/probe/local-system.js';
import { LAYOUT_PATH as DEFAULT_LAYOUT_OUTPUT } from '../../infra/capture/record-layout.js';
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
    // Only the default place is made when missing: a mistyped --output must not create directories.
    const createParent = options.output === DEFAULT_LAYOUT_OUTPUT;
    writeFileAtomic(options.output, `${JSON.stringify(layout, null, 2)}\n`, { createParent });
  }
  if (options.json) return printJson(layout);
  for (const warning of layout.warnings) note(`warning: ${warning}`);
  printLine(`${options.dryRun ? 'would record' : 'recorded'} the layout of ${layout.hostname || 'this host'} in ${options.output}`);
  for (const disk of layout.disks) printLine(`  disk ${disk.path} ${disk.table ?? 'no table'} ${disk.partitions.length} partitions`);
  for (const fs of layout.filesystems.filter((f) => f.local)) printLine(`  ${fs.mountpoint} ${fs.fstype}`);
  printLine(`  bootloader ${layout.bootloader.kind}`);
}


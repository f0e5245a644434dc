import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { checkName } from '../../core/names.js';
import { buildImage } from '../../infra/images/build-image.js';
import { withStore } from '../context.js';
import { formatBytes, formatSeconds, printJson, printLine } from '../output.js';
import { createProgress } from '../progress.js';

interface MkimageOptions {
  image: string;
  suite: string;
  mirror?: string;
  include?: string;
  variant: string;
  json?: boolean;
}

export async function mkimageCommand(options: MkimageOptions, command: Command): Promise<void> {
  const image = checkName('image', options.image);
  if (!/^[a-z][a-z0-9-]{1,30}$/.test(options.suite)) throw new UserError(`invalid suite ${JSON.stringify(options.suite)}: give a Debian suite such as bookworm`);
  const include = (options.include ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  for (const pkg of include) {
    if (!/^[a-z0-9][a-z0-9+.-]+$/.test(pkg)) throw new UserError(`invalid package name ${JSON.stringify(pkg)} in --include: give Debian package names separated by commas`);
  }
  if (!['minbase', 'buildd', 'default'].includes(options.variant)) throw new UserError(`invalid --variant ${options.variant}: use minbase, buildd or default`);
  const progress = createProgress({ quiet: Boolean(options.json) });
  const result = await withStore(command, (store) =>
    buildImage(store, {
      image,
      suite: options.suite,
      mirror: options.mirror,
      include,
      variant: options.variant,
      onPhase: (t) => progress.phase(t),
      onProgress: (p) => progress.step(p),
    }).finally(() => progress.stop()),
  );
  if (options.json) return printJson(result);
  printLine(`built ${image} version ${result.version} from ${result.source}`);
  printLine(`  size  ${formatBytes(result.sizeBytes)} in ${result.fileCount} files`);
  printLine(`  time  ${formatSeconds(result.seconds)}`);
}

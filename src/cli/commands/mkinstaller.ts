import path from 'node:path';
import type { Command } from 'commander';
import { homePaths } from '../../core/home.js';
import { parseEpoch, parseKernelOption, planInstaller } from '../../core/installer/plan.js';
import { buildInstaller, resolvePackages } from '../../infra/installer/index.js';
import { createRenderer } from '../../infra/templates.js';
import { resolveHome } from '../context.js';
import { formatBytes, note, printJson, printLine } from '../output.js';

interface MkinstallerOptions {
  kernel?: string;
  cache?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** si mkinstaller: plan (core), then build (infra); progress on stderr, the result on stdout. */
export async function mkinstallerCommand(options: MkinstallerOptions, command: Command): Promise<void> {
  const kernel = parseKernelOption(options.kernel);
  const plan = planInstaller({ kernel, sourceDateEpoch: parseEpoch(process.env.SOURCE_DATE_EPOCH) });
  const paths = homePaths(resolveHome(command));
  if (options.dryRun) {
    const packages = (await resolvePackages(plan)).map((p) => `${p.name}=${p.version}`);
    const shown = { ...plan, output: path.join(paths.home, plan.outputDir), resolvedPackages: packages };
    if (options.json) return printJson(shown);
    printLine(`installer ${plan.flavor} -> ${shown.output}/{kernel,initrd.img}`);
    printLine(`kernel: ${kernel.kind === 'debian' ? 'linux-image-amd64' : `the kernel of image ${kernel.image}`}`);
    printLine(`packages (${packages.length}): ${packages.join(' ')}`);
    printLine(`programs: ${plan.programs.join(' ')}`);
    printLine(`modules: ${plan.modules.join(' ')}`);
    printLine(`mtime of every entry: ${plan.sourceDateEpoch} (SOURCE_DATE_EPOCH)`);
    return;
  }
  const built = await buildInstaller({
    plan,
    paths,
    cache: options.cache ?? path.join(paths.home, 'cache', 'installer'),
    renderer: createRenderer({ siteDir: paths.templates }),
    onProgress: (line) => note(`  ${line}`),
  });
  if (options.json) return printJson(built);
  printLine(`built installer ${built.flavor} (kernel ${built.kver}) in ${built.dir}: initrd.img ${formatBytes(built.initrdBytes)} sha256 ${built.initrdSha256}, ${built.seconds.toFixed(1)} s`);
}

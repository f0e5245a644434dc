import type { Command } from 'commander';
import { lazy } from '../lazy.js';

/** si mkautoinstallscript: the scripts that install clients. */
export function registerAutoinstallCommands(program: Command): void {
  program
    .command('mkautoinstallscript')
    .description('render the autoinstall script of an image and an entry point for each of its clients')
    .requiredOption('--image <name>', 'image')
    .option('--dry-run', 'print what a render would write, keep and remove (and each host\'s inputs); change nothing')
    .option('--json', 'JSON output')
    .action(lazy(() => import('../commands/mkautoinstallscript.js'), 'mkautoinstallscriptCommand'));
}

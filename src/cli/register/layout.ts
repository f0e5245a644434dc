import type { Command } from 'commander';
import { collect } from '../context.js';
import { lazy } from '../lazy.js';

const load = () => import('../commands/layout.js');

/** si layout: the install disk layout of an image. */
export function registerLayoutCommands(program: Command): void {
  const layout = program.command('layout').description('the install disk layout of an image');
  layout.command('show').requiredOption('--image <name>', 'image').option('--json', 'JSON output').description('print the layout the installer uses').action(lazy(load, 'layoutShowCommand'));
  layout.command('set').requiredOption('--image <name>', 'image').requiredOption('--file <layout.json>', 'layout document').option('--json', 'JSON output').description('set the layout from a file').action(lazy(load, 'layoutSetCommand'));
  layout
    .command('check')
    .option('--image <name>', 'check the layout of an image, and that the image fits it (with --file: that file)')
    .option('--file <layout.json>', 'check a layout document')
    .option('--disk-size <size>', 'size of the Nth disk, e.g. 40GiB (repeatable; default: the smallest the layout and, with --image, the image fit)', collect, [])
    .option('--json', 'JSON output')
    .description('validate a layout and show its partitions')
    .action(lazy(load, 'layoutCheckCommand'));
}

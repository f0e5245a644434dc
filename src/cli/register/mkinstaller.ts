import type { Command } from 'commander';
import { lazy } from '../lazy.js';

/** si mkinstaller: the netboot installer's kernel and initramfs. */
export function registerMkinstallerCommands(program: Command): void {
  program
    .command('mkinstaller')
    .description("build the netboot installer (boot/x86_64/<flavor>/kernel and initrd.img) from Debian packages of this machine's apt sources")
    .option('--kernel <source>', "debian (linux-image-amd64) or image:NAME (the image's own kernel and modules)", 'debian')
    .option('--cache <dir>', 'where downloaded and extracted packages are kept (default $SI_HOME/cache/installer)')
    .option('--dry-run', 'print the plan (packages, programs, modules), build nothing')
    .option('--json', 'print the plan or the result as JSON')
    .action(lazy(() => import('../commands/mkinstaller.js'), 'mkinstallerCommand'));
}

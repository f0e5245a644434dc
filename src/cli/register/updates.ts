import type { Command } from 'commander';
import { lazy } from '../lazy.js';

/** si updateclient: incremental updates of an installed client (docs/updates.md). */
export function registerUpdateCommands(program: Command): void {
  program
    .command('updateclient')
    .description('pull the changes of this host\'s image from the image server, keeping its own files; re-run the configure stages')
    .option('--root <dir>', 'the tree to update', '/')
    .option('--conf <file>', 'read this instead of ROOT/etc/sisuite/updateclient.conf')
    .option('--dry-run', 'list what would change, change nothing')
    .option('--no-bootloader', 'do not re-run the bootloader stage')
    .option('--no-configure', 'do not re-run the configure stages (nor the bootloader)')
    .option('--reboot', 'reboot once the update is complete')
    .option('--json', 'JSON output')
    .action(lazy(() => import('../commands/updateclient.js'), 'updateClientCommand'));
}

import type { Command } from 'commander';
import { lazy } from '../lazy.js';

/** si configure: the System Configurator. */
export function registerConfigureCommands(program: Command): void {
  program
    .command('configure')
    .description('the System Configurator: make a tree this host (hostname, identity, network, fstab, initrd, bootloader)')
    .requiredOption('--host <name>', 'the client, from the registry')
    .option('--image <name>', 'image whose tree is planned (default: the client\'s image)')
    .option('--plan', 'print the plan as JSON, change nothing (with --image)')
    .option('--root <dir>', 'apply the plan to this root tree')
    .option('--stages <list>', 'comma list of identity, hostname, network, fstab, initrd, bootloader, locale, user-exits (default: all)')
    .option('--boot-disk <device>', 'disk the bootloader goes to')
    .option('--boot-mac <mac>', 'for a host without a MAC: the MAC of the interface it boots from (default $SI_BOOT_MAC)')
    .option('--dry-run', 'list what would change, change nothing')
    .option('--i-mean-the-running-system', 'allow a root that is a running system (this server\'s own /, or the root of a running process)')
    .option('--json', 'JSON output')
    .action(lazy(() => import('../commands/configure.js'), 'configureCommand'));
}

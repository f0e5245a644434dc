import type { Command } from 'commander';
import { lazy } from '../lazy.js';

/** si rsyncd: the rsync daemon that serves images and scripts. */
export function registerRsyncdCommands(program: Command): void {
  program
    .command('rsyncd')
    .description('write rsyncd.conf from the registry; with --foreground run the rsync daemon that serves images and scripts')
    .option('--foreground', 'run the rsync daemon until stopped, rewriting its config when images or clients change')
    .option('--address <ip>', 'listen on this address only')
    .option('--port <n>', 'listen on this port (default 873)')
    .option('--unit', 'print a systemd unit that runs si rsyncd --foreground')
    .option('--dry-run', 'print the config, write nothing')
    .action(lazy(() => import('../commands/rsyncd.js'), 'rsyncdCommand'));
}

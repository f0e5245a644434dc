import type { Command } from 'commander';
import { lazy } from '../lazy.js';

/** si pushupdate and si drift: updates and drift of installed clients, from the server (docs/pushupdate.md). */
export function registerPushupdateCommands(program: Command): void {
  program
    .command('pushupdate')
    .description('run si-updateclient on clients over ssh, in parallel, and show a per-host table')
    .option('--clients <range>', 'host names: node[001-040], node001-node040, or a comma list')
    .option('--group <name>', 'the clients of this group')
    .option('--image <name>', 'the image to push (default: each client\'s image in the registry); a client carrying another image is moved to it')
    .option('--parallel <n>', 'hosts at once', '32')
    .option('--timeout <seconds>', 'to connect and log in to a host', '60')
    .option('--max-failures <n>', 'start no new host once this many failed')
    .option('--dry-run', 'list on each host what would change, change nothing')
    .option('--reboot', 'reboot each host once its update is complete')
    .option('--no-bootloader', 'do not re-run the bootloader stage on the hosts')
    .option('--json', 'JSON output')
    .action(lazy(() => import('../commands/pushupdate.js'), 'pushupdateCommand'));
  program
    .command('drift')
    .description('list, per client, the files that differ from the image version it carries (read-only)')
    .option('--clients <range>', 'host names: node[001-040], node001-node040, or a comma list')
    .option('--group <name>', 'the clients of this group')
    .option('--parallel <n>', 'hosts at once', '16')
    .option('--timeout <seconds>', 'to connect and log in to a host', '60')
    .option('--json', 'JSON output')
    .action(lazy(() => import('../commands/drift.js'), 'driftCommand'));
}

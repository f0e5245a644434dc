import type { Command } from 'commander';
import { lazy } from '../lazy.js';

/** si monitor: install progress from the events installers send. */
export function registerMonitorCommands(program: Command): void {
  program
    .command('monitor')
    .argument('[range]', 'only these hosts: node[001-016], a comma list')
    .description('show the clients being installed: state, phase, progress of the copy, rate, elapsed time, last log line')
    .option('--json', 'JSON output: with --once one array, otherwise one array per line whenever something changed')
    .option('--once', 'print the current state once and end')
    .option('--interval <seconds>', 'seconds between readings (default 2)')
    .option('--hours <n>', 'also list clients with an install event in the last n hours (default 24)')
    .action(lazy(() => import('../commands/monitor.js'), 'monitorCommand'));
}

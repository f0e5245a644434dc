import type { Command } from 'commander';
import { lazy } from '../lazy.js';

const load = () => import('../commands/groups.js');

/** si group: an image and override trees shared by their members. */
export function registerGroupCommands(program: Command): void {
  const group = program.command('group').description('client groups: an image and override trees shared by their members');
  group.command('add').argument('<name>').option('--image <name>', 'image for the group').option('--overrides <names>', 'override trees, comma separated').option('--json', 'JSON output').description('add a group').action(lazy(load, 'groupAddCommand'));
  group.command('set').argument('<name>').option('--image <name>', 'image for the group').option('--overrides <names>', 'override trees, comma separated').option('--json', 'JSON output').description('change a group').action(lazy(load, 'groupSetCommand'));
  group.command('list').option('--json', 'JSON output').description('list groups').action(lazy(load, 'groupListCommand'));
  group.command('show').argument('<name>').option('--json', 'JSON output').description('show a group and its members').action(lazy(load, 'groupShowCommand'));
  group.command('rm').argument('<name>').option('--json', 'JSON output').description('remove an empty group').action(lazy(load, 'groupRmCommand'));
}

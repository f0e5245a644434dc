import type { Command } from 'commander';
import { lazy } from '../lazy.js';

/** si key: sisuite's own ssh key, the one golden clients let in. */
export function registerKeyCommands(program: Command): void {
  const key = program.command('key').description("sisuite's own ssh key for reaching golden clients ($SI_HOME/ssh/id_ed25519)");
  key
    .command('show')
    .description("print sisuite's public key (made on first use): put it in the golden client's /root/.ssh/authorized_keys")
    .option('--json', 'JSON output')
    .action(lazy(() => import('../commands/key.js'), 'keyShowCommand'));
}

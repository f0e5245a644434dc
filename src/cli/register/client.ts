import type { Command } from 'commander';
import { lazy } from '../lazy.js';

const load = () => import('../commands/clients.js');

/** The client registry: addclients, si client, si hosts. */
export function registerClientCommands(program: Command): void {
  program
    .command('addclients')
    .description('define clients from a host range, with addresses counted up from --ip')
    .requiredOption('--hosts <range>', 'host names: node[001-100], rack[1-2]n[01-16], node001-node100, or a comma list')
    .requiredOption('--ip <address>', 'address of the first host; the others follow, skipping network and broadcast')
    .option('--netmask <mask>', 'netmask or prefix length (default /24)')
    .option('--gateway <address>', 'default gateway')
    .option('--domain <domain>', 'DNS domain')
    .option('--dns <servers>', 'DNS servers, comma separated')
    .requiredOption('--image <name>', 'image the clients install')
    .option('--group <name>', 'group the clients join (created when new)')
    .option('--macs <file.csv>', 'CSV of hostname,mac[,mac...]')
    .option('--dry-run', 'show the hosts that would be added, change nothing')
    .option('--json', 'JSON output')
    .action(lazy(load, 'addclientsCommand'));

  const client = program.command('client').description('the client registry');
  client.command('list').argument('[range]').description('list clients').option('--image <name>', 'only clients of this image').option('--json', 'JSON output').action(lazy(load, 'clientListCommand'));
  client.command('show').argument('<host>').description('show a client').option('--json', 'JSON output').action(lazy(load, 'clientShowCommand'));
  client
    .command('set')
    .argument('<range>')
    .description('change clients')
    .option('--image <name>', 'image to install')
    .option('--groups <names>', 'groups, comma separated (replaces the list)')
    .option('--overrides <names>', 'override trees, comma separated (replaces the list)')
    .option('--boot <mode>', 'install or local')
    .option('--state <state>', 'new, installing, installed or failed')
    .option('--gateway <address>', 'default gateway ("" for none)')
    .option('--dns <servers>', 'DNS servers, comma separated')
    .option('--domain <domain>', 'DNS domain ("" for none)')
    .option('--ip <address>', 'new address of the first host; the others follow, as with addclients')
    .option('--netmask <mask>', 'netmask or prefix length')
    .option('--macs <macs>', 'MACs of one host, comma separated ("" for none)')
    .option('--discover', 'wait to be discovered: the first unknown MACs to netboot are bound to these hosts, in order (hosts without MACs)')
    .option('--no-discover', 'stop waiting to be discovered')
    .option('--dry-run', 'show the result, change nothing')
    .option('--json', 'JSON output')
    .action(lazy(load, 'clientSetCommand'));
  client.command('rm').argument('<range>').description('remove clients').option('--dry-run', 'change nothing').option('--json', 'JSON output').action(lazy(load, 'clientRmCommand'));
  client.command('export').description('write all clients as CSV').option('--output <file>', 'file to write (default: standard output)').action(lazy(load, 'clientExportCommand'));
  client.command('import').argument('<file>').description('add or replace clients from a CSV export').option('--dry-run', 'change nothing').option('--json', 'JSON output').action(lazy(load, 'clientImportCommand'));

  program.command('hosts').description('print an /etc/hosts fragment for the clients').option('--image <name>', 'only clients of this image').option('--json', 'JSON output').action(lazy(load, 'hostsCommand'));
}

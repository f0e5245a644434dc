import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { InternalError, UserError } from '../core/errors.js';
import { collect } from './context.js';

/**
 * Command modules load on first use: a command pays only for the libraries it needs
 * (ssh2, zod and execa alone cost ~0.2 s of start-up).
 */
type Action = (...args: never[]) => Promise<void>;
function lazy<M, K extends keyof M>(load: () => Promise<M>, name: K): (...args: unknown[]) => Promise<void> {
  return async (...args) => ((await load())[name] as unknown as Action)(...(args as never[]));
}
const getimageCommand = lazy(() => import('./commands/getimage.js'), 'getimageCommand');
const prepareclientCommand = lazy(() => import('./commands/prepareclient.js'), 'prepareclientCommand');
const mkimageCommand = lazy(() => import('./commands/mkimage.js'), 'mkimageCommand');
const clientsModule = () => import('./commands/clients.js');
const groupsModule = () => import('./commands/groups.js');
const layoutModule = () => import('./commands/layout.js');
const imageModule = () => import('./commands/image.js');
const image = {
  imageListCommand: lazy(imageModule, 'imageListCommand'),
  imageShowCommand: lazy(imageModule, 'imageShowCommand'),
  imageVersionsCommand: lazy(imageModule, 'imageVersionsCommand'),
  imageDiffCommand: lazy(imageModule, 'imageDiffCommand'),
  imageRollbackCommand: lazy(imageModule, 'imageRollbackCommand'),
  imageRmCommand: lazy(imageModule, 'imageRmCommand'),
  imageCpCommand: lazy(imageModule, 'imageCpCommand'),
  imageMvCommand: lazy(imageModule, 'imageMvCommand'),
  imageGcCommand: lazy(imageModule, 'imageGcCommand'),
};

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/** Every command, its options and help, in one table. Each action is a thin adapter into core/infra. */
export function buildProgram(): Command {
  const program = new Command('si')
    .description('sisuite: capture golden clients into versioned images and install clients from them')
    .option('--home <dir>', 'sisuite home (default: $SI_HOME or /var/lib/sisuite)')
    .version(packageVersion(), '-V, --version', 'print the sisuite version')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('prepareclient')
    .description('record this machine\'s disk layout in /etc/sisuite/layout.json (run on the golden client)')
    .option('--output <file>', 'where to write the layout', '/etc/sisuite/layout.json')
    .option('--dry-run', 'print the layout, write nothing')
    .option('--json', 'print the layout as JSON')
    .action(prepareclientCommand);

  program
    .command('getimage')
    .description('capture a golden client over rsync+ssh into a new version of an image')
    .requiredOption('--golden-client <host>', 'the golden client to capture')
    .requiredOption('--image <name>', 'the image to create or add a version to')
    .option('--ssh-user <user>', 'login on the golden client', 'root')
    .option('--ssh-port <port>', 'ssh port of the golden client', '22')
    .option('--ssh-key <path>', 'private key (default: $SI_HOME/ssh/id_ed25519, then ~/.ssh keys, then the agent)')
    .option('--exclude <pattern>', 'rsync exclude pattern (repeatable)', collect, [])
    .option('--exclude-file <file>', 'file of rsync exclude patterns, one a line')
    .option('--dry-run', 'show what would be captured, change nothing')
    .option('--json', 'print the summary as JSON')
    .action(getimageCommand);

  program
    .command('mkimage')
    .description('build an image from Debian packages with debootstrap')
    .requiredOption('--image <name>', 'the image to create or add a version to')
    .requiredOption('--suite <suite>', 'Debian suite, e.g. bookworm')
    .option('--mirror <url>', 'Debian mirror (default: the first one in this machine\'s apt sources)')
    .option('--include <packages>', 'extra packages, comma separated')
    .addOption(new Option('--variant <variant>', 'debootstrap variant').choices(['minbase', 'buildd', 'default']).default('minbase'))
    .option('--json', 'print the result as JSON')
    .action(mkimageCommand);

  const images = program.command('image').description('the image store and its versions');
  images.command('list').description('list images').option('--json', 'JSON output').action(image.imageListCommand);
  images.command('show').argument('<name>').description('show an image').option('--json', 'JSON output').action(image.imageShowCommand);
  images.command('versions').argument('<name>').description('list the versions of an image').option('--json', 'JSON output').action(image.imageVersionsCommand);
  images
    .command('diff')
    .argument('<name>')
    .argument('<v1>')
    .argument('<v2>')
    .description('list paths added, removed and changed from version v1 to v2')
    .option('--json', 'JSON output')
    .action(image.imageDiffCommand);
  images
    .command('rollback')
    .argument('<name>')
    .argument('[version]', 'version to make current (default: the one before the current)')
    .description('make an earlier version current')
    .option('--json', 'JSON output')
    .action(image.imageRollbackCommand);
  images.command('rm').argument('<name>').description('remove an image and all its versions').option('--json', 'JSON output').action(image.imageRmCommand);
  images.command('cp').argument('<source>').argument('<destination>').description('copy an image\'s current version into a new image').option('--json', 'JSON output').action(image.imageCpCommand);
  images.command('mv').argument('<source>').argument('<destination>').description('rename an image').option('--json', 'JSON output').action(image.imageMvCommand);
  images
    .command('gc')
    .argument('<name>')
    .requiredOption('--keep <n>', 'how many of the newest versions to keep (the current one is always kept)')
    .description('remove old versions')
    .option('--json', 'JSON output')
    .action(image.imageGcCommand);

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
    .option('--dry-run', 'show what would be added, change nothing')
    .option('--json', 'JSON output')
    .action(lazy(clientsModule, 'addclientsCommand'));

  const client = program.command('client').description('the client registry');
  client.command('list').argument('[range]').description('list clients').option('--image <name>', 'only clients of this image').option('--json', 'JSON output').action(lazy(clientsModule, 'clientListCommand'));
  client.command('show').argument('<host>').description('show a client').option('--json', 'JSON output').action(lazy(clientsModule, 'clientShowCommand'));
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
    .option('--dry-run', 'show the result, change nothing')
    .option('--json', 'JSON output')
    .action(lazy(clientsModule, 'clientSetCommand'));
  client.command('rm').argument('<range>').description('remove clients').option('--dry-run', 'change nothing').option('--json', 'JSON output').action(lazy(clientsModule, 'clientRmCommand'));
  client.command('export').description('write all clients as CSV').option('--output <file>', 'file to write (default: standard output)').action(lazy(clientsModule, 'clientExportCommand'));
  client.command('import').argument('<file>').description('add or replace clients from a CSV export').option('--dry-run', 'change nothing').option('--json', 'JSON output').action(lazy(clientsModule, 'clientImportCommand'));

  const group = program.command('group').description('client groups: an image and override trees shared by their members');
  group.command('add').argument('<name>').option('--image <name>', 'image for the group').option('--overrides <names>', 'override trees, comma separated').option('--json', 'JSON output').description('add a group').action(lazy(groupsModule, 'groupAddCommand'));
  group.command('set').argument('<name>').option('--image <name>', 'image for the group').option('--overrides <names>', 'override trees, comma separated').option('--json', 'JSON output').description('change a group').action(lazy(groupsModule, 'groupSetCommand'));
  group.command('list').option('--json', 'JSON output').description('list groups').action(lazy(groupsModule, 'groupListCommand'));
  group.command('show').argument('<name>').option('--json', 'JSON output').description('show a group and its members').action(lazy(groupsModule, 'groupShowCommand'));
  group.command('rm').argument('<name>').option('--json', 'JSON output').description('remove an empty group').action(lazy(groupsModule, 'groupRmCommand'));

  program.command('hosts').description('print an /etc/hosts fragment for the clients').option('--image <name>', 'only clients of this image').option('--json', 'JSON output').action(lazy(clientsModule, 'hostsCommand'));

  const layout = program.command('layout').description('the install disk layout of an image');
  layout.command('show').requiredOption('--image <name>', 'image').option('--json', 'JSON output').description('print the layout the installer uses').action(lazy(layoutModule, 'layoutShowCommand'));
  layout.command('set').requiredOption('--image <name>', 'image').requiredOption('--file <layout.json>', 'layout document').option('--json', 'JSON output').description('set the layout from a file').action(lazy(layoutModule, 'layoutSetCommand'));
  layout
    .command('check')
    .option('--image <name>', 'check the layout of an image')
    .option('--file <layout.json>', 'check a layout document')
    .option('--disk-size <size>', 'size of the Nth disk, e.g. 40GiB (repeatable; default: the smallest that fits)', collect, [])
    .option('--json', 'JSON output')
    .description('validate a layout and show its partitions')
    .action(lazy(layoutModule, 'layoutCheckCommand'));

  program
    .command('configure')
    .description('the System Configurator: make a tree this host (hostname, identity, network, fstab, initrd, bootloader)')
    .requiredOption('--host <name>', 'the client, from the registry')
    .option('--image <name>', 'image whose tree is planned (default: the client\'s image)')
    .option('--plan', 'print the plan as JSON, change nothing (with --image)')
    .option('--root <dir>', 'apply the plan to this root tree')
    .option('--stages <list>', 'comma list of identity, hostname, network, fstab, initrd, bootloader, locale, user-exits (default: all)')
    .option('--boot-disk <device>', 'disk the bootloader goes to')
    .option('--dry-run', 'list what would change, change nothing')
    .option('--json', 'JSON output')
    .action(lazy(() => import('./commands/configure.js'), 'configureCommand'));

  program
    .command('mkautoinstallscript')
    .description('render the autoinstall script of an image and an entry point for each of its clients')
    .requiredOption('--image <name>', 'image')
    .option('--json', 'JSON output')
    .action(lazy(() => import('./commands/mkautoinstallscript.js'), 'mkautoinstallscriptCommand'));

  program
    .command('rsyncd')
    .description('write rsyncd.conf from the registry; with --foreground run the rsync daemon that serves images and scripts')
    .option('--foreground', 'run the rsync daemon until stopped, rewriting its config when images or clients change')
    .option('--address <ip>', 'listen on this address only')
    .option('--port <n>', 'listen on this port (default 873)')
    .option('--unit', 'print a systemd unit that runs si rsyncd --foreground')
    .option('--dry-run', 'print the config, write nothing')
    .action(lazy(() => import('./commands/rsyncd.js'), 'rsyncdCommand'));

  return program;
}

/** Runs the CLI and returns the exit code; errors become one line on stderr. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof UserError) {
    process.stderr.write(`si: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof Error && error.name === 'CommandError') {
    process.stderr.write(`si: ${error.message}\n`);
    return 1;
  }
  // InternalError and anything unexpected: a bug, shown whole so that it can be reported.
  const kind = error instanceof InternalError ? 'internal error' : 'unexpected error';
  process.stderr.write(`si: ${kind}: ${(error as Error)?.stack ?? String(error)}\nplease report this with the command you ran\n`);
  return 70;
}

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

/** Every command, its options and help, in one table. Each action is a thin adapter into core/infra. */
export function buildProgram(): Command {
  const program = new Command('si')
    .description('sisuite: capture golden clients into versioned images and install clients from them')
    .option('--home <dir>', 'sisuite home (default: $SI_HOME or /var/lib/sisuite)')
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

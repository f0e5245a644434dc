import { Option, type Command } from 'commander';
import { collect } from '../context.js';
import { lazy } from '../lazy.js';

/** Making images: prepareclient (on the golden client), getimage (capture) and mkimage (debootstrap). */
export function registerCaptureCommands(program: Command): void {
  program
    .command('prepareclient')
    .description('record this machine\'s disk layout in /etc/sisuite/layout.json (run on the golden client)')
    .option('--output <file>', 'where to write the layout', '/etc/sisuite/layout.json')
    .option('--dry-run', 'print the layout, write nothing')
    .option('--json', 'print the layout as JSON')
    .action(lazy(() => import('../commands/prepareclient.js'), 'prepareclientCommand'));

  program
    .command('getimage')
    .description('capture a golden client over rsync+ssh into a new version of an image')
    .requiredOption('--golden-client <host>', 'the golden client to capture')
    .requiredOption('--image <name>', 'the image to create or add a version to')
    .option('--ssh-user <user>', 'login on the golden client', 'root')
    .option('--ssh-port <port>', 'ssh port of the golden client', '22')
    .option('--ssh-key <path>', "private key, without passphrase or held by ssh-agent (default: $SI_HOME/ssh/id_ed25519, then ~/.ssh/id_{ed25519,ecdsa,rsa} without passphrase, then the ssh agent; with none of them si makes $SI_HOME/ssh/id_ed25519: put the line `si key show` prints in the golden client's /root/.ssh/authorized_keys)")
    .option('--exclude <pattern>', 'rsync exclude pattern (repeatable)', collect, [])
    .option('--exclude-file <file>', 'file of rsync exclude patterns, one a line')
    .option('--allow-empty', 'keep a capture that holds no /etc or no /usr (refused otherwise)')
    .option('--always', 'make a new version even when nothing changed since the current one')
    .option('--dry-run', 'print the plan (destination, --link-dest, excludes, the rsync command) and what it would copy; change nothing')
    .option('--json', 'print the summary as JSON')
    .action(lazy(() => import('../commands/getimage.js'), 'getimageCommand'));

  program
    .command('mkimage')
    .description('build an image from Debian packages with debootstrap')
    .requiredOption('--image <name>', 'the image to create or add a version to')
    .requiredOption('--suite <suite>', 'Debian suite, e.g. bookworm')
    .option('--mirror <url>', 'Debian mirror (default: the first one in this machine\'s apt sources)')
    .option('--include <packages>', 'extra packages, comma separated')
    .addOption(new Option('--variant <variant>', 'debootstrap variant').choices(['minbase', 'buildd', 'default']).default('minbase'))
    .option('--json', 'print the result as JSON')
    .action(lazy(() => import('../commands/mkimage.js'), 'mkimageCommand'));
}

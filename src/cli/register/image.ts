import type { Command } from 'commander';
import { lazy } from '../lazy.js';

const load = () => import('../commands/image.js');
const loadIo = () => import('../commands/image-io.js');

/** si image: the image store and its versions. */
export function registerImageCommands(program: Command): void {
  const images = program.command('image').description('the image store and its versions');
  images.command('list').description('list images').option('--json', 'JSON output').action(lazy(load, 'imageListCommand'));
  images.command('show').argument('<name>').description('show an image').option('--json', 'JSON output').action(lazy(load, 'imageShowCommand'));
  images.command('versions').argument('<name>').description('list the versions of an image').option('--json', 'JSON output').action(lazy(load, 'imageVersionsCommand'));
  images
    .command('diff')
    .argument('<name>')
    .argument('<v1>')
    .argument('<v2>')
    .description('list paths added, removed and changed from version v1 to v2')
    .option('--json', 'JSON output')
    .action(lazy(load, 'imageDiffCommand'));
  images
    .command('rollback')
    .argument('<name>')
    .argument('[version]', 'version to make current (default: the one before the current)')
    .description('make an earlier version current')
    .option('--json', 'JSON output')
    .action(lazy(load, 'imageRollbackCommand'));
  images
    .command('rm')
    .argument('<name>')
    .description('remove an image and all its versions (or what failed work left under a name with no versions)')
    .option('--dry-run', 'print what would be removed, change nothing')
    .option('--json', 'JSON output')
    .action(lazy(load, 'imageRmCommand'));
  images.command('cp').argument('<source>').argument('<destination>').description('copy an image\'s current version into a new image').option('--json', 'JSON output').action(lazy(load, 'imageCpCommand'));
  images.command('mv').argument('<source>').argument('<destination>').description('rename an image').option('--json', 'JSON output').action(lazy(load, 'imageMvCommand'));
  images
    .command('gc')
    .argument('<name>')
    .requiredOption('--keep <n>', 'how many of the newest versions to keep (the current one is always kept)')
    .description('remove old versions')
    .option('--dry-run', 'print which versions would be removed, change nothing')
    .option('--json', 'JSON output')
    .action(lazy(load, 'imageGcCommand'));

  // Import and export: root tarballs, OCI image layouts, docker archives.
  images
    .command('import')
    .argument('<name>')
    .description('make a new version of an image (a new image if absent) from a root tarball, an OCI layout or a docker archive')
    .option('--archive <file>', 'a root tarball: FILE.tar, FILE.tar.gz or FILE.tar.zst')
    .option('--oci <dir>', 'an OCI image layout directory (its layers applied in order, whiteouts honoured)')
    .option('--docker-archive <file>', "an archive made by 'docker save'")
    .option('--json', 'JSON output')
    .action(lazy(loadIo, 'imageImportCommand'));
  images
    .command('export')
    .argument('<name>')
    .argument('<file>', 'FILE.tar, FILE.tar.gz or FILE.tar.zst (compression by suffix)')
    .description('write a version of an image as a root tarball')
    // Not --version: that is the program's own flag, which commander recognises after a subcommand too.
    .option('--image-version <n>', 'the version to export (default: the current one)')
    .option('--json', 'JSON output')
    .action(lazy(loadIo, 'imageExportCommand'));
  registerImageExecCommands(images);
  images
    .command('test')
    .argument('<name>')
    .description('install the image into a throwaway VM through the real netboot path and report each stage: pass (exit 0) or fail (exit 1)')
    // Not --version: that is the program's own flag, which commander recognises after a subcommand too.
    .option('--image-version <n>', 'the version to test (default: the current one)')
    .option('--firmware <kind>', 'bios or uefi', 'bios')
    .option('--layout <file>', 'install with this disk layout instead of the image\'s own')
    .option('--accel <kind>', 'auto (kvm when usable, else tcg), kvm or tcg', 'auto')
    .option('--timeout <seconds>', 'the bound of the whole test', '3600')
    .option('--keep-on-failure', "keep the test's home, disk and console log when it fails")
    .option('--json', 'JSON output')
    .action(lazy(() => import('../commands/image-test.js'), 'imageTestCommand'));
}

/** si image exec / si image shell: change an image through a writable layer, committed as a new version. */
function registerImageExecCommands(images: Command): void {
  const loadExec = () => import('../commands/image-exec.js');
  images
    .command('exec')
    .argument('<name>')
    .argument('<command...>', 'the command and its arguments, after --')
    .description('run a command chrooted in the image; when it exits 0, commit the result as a new version')
    .option('--dry-run', 'print the changes the command made, commit nothing')
    .option('--abort', 'throw the changes away whatever the exit')
    .option('--always', 'make a new version even when nothing changed')
    .option('--json', 'JSON output')
    .action(lazy(loadExec, 'imageExecCommand'));
  images
    .command('shell')
    .argument('<name>')
    .description('an interactive shell chrooted in the image; exit 0 commits the result as a new version')
    .option('--abort', 'throw the changes away whatever the exit')
    .option('--dry-run', 'print the changes made, commit nothing')
    .option('--always', 'make a new version even when nothing changed')
    .option('--json', 'JSON output')
    .action(lazy(loadExec, 'imageShellCommand'));
}

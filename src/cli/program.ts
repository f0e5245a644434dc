import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { InternalError, UserError } from '../core/errors.js';
import { registerAutoinstallCommands } from './register/autoinstall.js';
import { registerCaptureCommands } from './register/capture.js';
import { registerClientCommands } from './register/client.js';
import { registerConfigureCommands } from './register/configure.js';
import { registerGroupCommands } from './register/group.js';
import { registerImageCommands } from './register/image.js';
import { registerKeyCommands } from './register/key.js';
import { registerLayoutCommands } from './register/layout.js';
import { registerMkinstallerCommands } from './register/mkinstaller.js';
import { registerMonitorCommands } from './register/monitor.js';
import { registerPushupdateCommands } from './register/pushupdate.js';
import { registerNetbootCommands } from './register/netboot.js';
import { registerRsyncdCommands } from './register/rsyncd.js';
import { registerUpdateCommands } from './register/updates.js';

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/** The si program: global options here, each noun's commands in src/cli/register. Actions are thin adapters into core/infra. */
export function buildProgram(): Command {
  const program = new Command('si')
    .description('sisuite: capture golden clients into versioned images and install clients from them')
    .option('--home <dir>', 'sisuite home (default: $SI_HOME or /var/lib/sisuite)')
    .version(packageVersion(), '-V, --version', 'print the sisuite version')
    .showHelpAfterError()
    .exitOverride();

  // Each noun registers its own commands; their modules load when one of them runs.
  registerCaptureCommands(program);
  registerImageCommands(program);
  registerClientCommands(program);
  registerGroupCommands(program);
  registerLayoutCommands(program);
  registerConfigureCommands(program);
  registerAutoinstallCommands(program);
  registerRsyncdCommands(program);
  registerKeyCommands(program);
  registerNetbootCommands(program);
  registerMkinstallerCommands(program);
  registerMonitorCommands(program);
  registerUpdateCommands(program);
  registerPushupdateCommands(program);

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

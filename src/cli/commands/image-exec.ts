import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { checkExistingName } from '../../core/names.js';
import type { ExecOutcome, ExecRequest } from '../../infra/images/image-exec.js';
import { withStore } from '../context.js';
import { printJson, printLine } from '../output.js';

interface ExecOptions {
  dryRun?: boolean;
  always?: boolean;
  abort?: boolean;
  json?: boolean;
}

/** si image exec NAME -- CMD...: a command chrooted in a writable layer; exit 0 commits a new version. */
export async function imageExecCommand(name: string, argv: string[], options: ExecOptions, command: Command): Promise<void> {
  if (argv.length === 0) throw new UserError(`no command given: si image exec ${name} -- COMMAND [ARGS...]`);
  await runInImage(command, { image: checkExistingName('image', name), argv, ...flags(options) }, options);
}

/** si image shell NAME: /bin/sh -l on the console in a writable layer; exit 0 commits (never with --abort). */
export async function imageShellCommand(name: string, options: ExecOptions, command: Command): Promise<void> {
  const request = { image: checkExistingName('image', name), argv: ['/bin/sh', '-l'], console: true, ...flags(options) };
  await runInImage(command, request, options);
}

function flags(options: ExecOptions): Pick<ExecRequest, 'dryRun' | 'always' | 'abort'> {
  return { dryRun: Boolean(options.dryRun), always: Boolean(options.always), abort: Boolean(options.abort) };
}

async function runInImage(command: Command, request: ExecRequest, options: ExecOptions): Promise<void> {
  const { execInImage } = await import('../../infra/images/image-exec.js');
  // The command's own output: stdout stays stdout unless --json needs it for the summary.
  const toStdout = (chunk: string) => void (options.json ? process.stderr : process.stdout).write(chunk);
  const toStderr = (chunk: string) => void process.stderr.write(chunk);
  const outcome = await withStore(command, (store) => execInImage(store, { ...request, onStdout: toStdout, onStderr: toStderr }));
  if (options.json) return printJson({ image: request.image, ...summary(outcome) });
  printOutcome(request.image, outcome);
}

function summary(outcome: ExecOutcome): Record<string, unknown> {
  if (outcome.kind === 'committed') return { result: outcome.kind, from: outcome.from, version: outcome.version.number, ...outcome.diff };
  if (outcome.kind === 'unchanged') return { result: outcome.kind, from: outcome.from, version: null };
  return { result: outcome.kind, from: outcome.from, version: null, ...outcome.diff };
}

function printOutcome(image: string, outcome: ExecOutcome): void {
  if (outcome.kind === 'unchanged') return printLine(`no changes since version ${outcome.from}`);
  const { diff } = outcome;
  for (const path of diff.added) printLine(`+ ${path}`);
  for (const path of diff.removed) printLine(`- ${path}`);
  for (const path of diff.changed) printLine(`M ${path}`);
  printLine(`${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed`);
  if (outcome.kind === 'committed') return printLine(`version ${outcome.version.number}`);
  const why = outcome.kind === 'dry-run' ? 'dry run' : '--abort';
  printLine(`${why}: no version made, ${image} is still version ${outcome.from}`);
}

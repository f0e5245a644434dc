import { formatResultLine } from '../../core/updates/result.js';
import { updateClient } from '../../infra/updates/update-client.js';
import { printJson, printLine } from '../output.js';

interface UpdateClientCommandOptions {
  root: string;
  conf?: string;
  dryRun?: boolean;
  bootloader?: boolean;
  configure?: boolean;
  reboot?: boolean;
  json?: boolean;
}

/**
 * si updateclient: si-updateclient for a machine with the CLI (docs/updates.md); the same files, the same exit
 * codes, the same result line (`si: result=ok image=... version=... files=... bytes_received=... dry_run=0`), or
 * with --json the same fields as JSON (plus the changes and the unfinished update it finished).
 */
export async function updateClientCommand(options: UpdateClientCommandOptions): Promise<void> {
  const text = !options.json;
  await updateClient({
    ...options,
    // A stand-in for reboot (a test's): the only one --reboot may call when --root is not /.
    rebootCommand: process.env.SI_UPDATECLIENT_REBOOT || undefined,
    say: (line) => text && printLine(`si: ${line}`),
    change: (line) => text && printLine(line),
    report: (result, outcome) =>
      text ? printLine(formatResultLine('si', result)) : printJson({ ...result, changes: outcome.changes, finished_previous: outcome.finishedPrevious }),
  });
}

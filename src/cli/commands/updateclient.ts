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

/** si updateclient: si-updateclient for a machine with the CLI (docs/updates.md); the same files, the same exit codes. */
export async function updateClientCommand(options: UpdateClientCommandOptions): Promise<void> {
  const say = options.json ? () => undefined : (line: string) => printLine(`si: ${line}`);
  const result = await updateClient({ ...options, say });
  if (options.json) return printJson({ ...result, dryRun: Boolean(options.dryRun) });
  if (!options.dryRun) return;
  for (const change of result.changes) printLine(change);
  printLine(`si: dry run: ${result.changes.length} changes from image ${result.image} version ${result.version}; nothing was changed`);
}

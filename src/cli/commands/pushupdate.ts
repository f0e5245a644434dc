import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { checkName } from '../../core/names.js';
import { countOption } from '../../core/pushupdate/targets.js';
import type { HostOutcome } from '../../infra/pushupdate/outcome.js';
import { pushUpdate } from '../../infra/pushupdate/push-update.js';
import { findTargets } from '../../infra/pushupdate/targets.js';
import { withStore } from '../context.js';
import { formatBytes, note, printJson, printLine, printTable } from '../output.js';
import { hostProgress } from './pushupdate-progress.js';

interface PushUpdateOptions {
  clients?: string;
  group?: string;
  image?: string;
  parallel?: string;
  timeout?: string;
  maxFailures?: string;
  dryRun?: boolean;
  reboot?: boolean;
  bootloader?: boolean;
  json?: boolean;
}

/** si pushupdate: si-updateclient on a range of clients over ssh, in parallel, with a per-host table (docs/pushupdate.md). */
export async function pushupdateCommand(options: PushUpdateOptions, command: Command): Promise<void> {
  const parallel = countOption('parallel', options.parallel, 32, { min: 1, max: 1000 });
  const timeoutSeconds = countOption('timeout', options.timeout, 60, { min: 1, max: 86_400 });
  const maxFailures = options.maxFailures === undefined ? undefined : countOption('max-failures', options.maxFailures, 0, { min: 1, max: 1_000_000 });
  const image = options.image === undefined ? undefined : checkName('image', options.image);
  const outcomes = await withStore(command, async (store) => {
    const clients = findTargets(store, options);
    if (image) store.requireImage(image);
    const progress = hostProgress({ total: clients.length, quiet: Boolean(options.json) });
    try {
      return await pushUpdate(store.paths, store.db, {
        clients,
        parallel,
        maxFailures,
        image,
        dryRun: Boolean(options.dryRun),
        reboot: Boolean(options.reboot),
        bootloader: options.bootloader !== false,
        timeoutSeconds,
        onStart: progress.started,
        onDone: progress.done,
      });
    } finally {
      progress.stop();
    }
  });
  const failed = outcomes.filter((o) => o.result === 'failed').length;
  const skipped = outcomes.filter((o) => o.result === 'skipped').length;
  const ok = outcomes.length - failed - skipped;
  if (options.json) printJson({ dryRun: Boolean(options.dryRun), ok, failed, skipped, hosts: outcomes });
  else printOutcomes(outcomes, Boolean(options.dryRun));
  if (failed > 0) {
    const stop = skipped > 0 ? `, ${skipped} not started (--max-failures ${options.maxFailures})` : '';
    throw new UserError(`${failed} of ${outcomes.length} hosts failed${stop}: see the table for each reason, fix, and run si pushupdate again for them`, 1);
  }
  if (!options.json) note(`${ok} of ${outcomes.length} hosts ${options.dryRun ? 'listed (dry run: nothing changed)' : 'updated'}`);
}

function printOutcomes(outcomes: readonly HostOutcome[], dryRun: boolean): void {
  printTable(
    ['HOST', 'RESULT', 'IMAGE', 'VERSION', dryRun ? 'WOULD CHANGE' : 'FILES', 'RECEIVED', 'TIME', 'REASON'],
    outcomes.map((o) => [
      o.host,
      o.result,
      o.image ?? '-',
      o.version ?? '-',
      o.files ?? '-',
      o.bytesReceived === null ? '-' : formatBytes(o.bytesReceived),
      `${o.seconds.toFixed(1)} s`,
      o.reason || '-',
    ]),
  );
  if (outcomes.length === 0) printLine('no hosts');
}

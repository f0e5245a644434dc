import type { Command } from 'commander';
import { describePathDrift, summarizeByPath } from '../../core/drift/drift-report.js';
import { UserError } from '../../core/errors.js';
import { countOption } from '../../core/pushupdate/targets.js';
import { driftOf } from '../../infra/drift/drift.js';
import { findTargets } from '../../infra/pushupdate/targets.js';
import { withStore } from '../context.js';
import { note, printJson, printLine, printTable } from '../output.js';

interface DriftOptions {
  clients?: string;
  group?: string;
  parallel?: string;
  timeout?: string;
  json?: boolean;
}

/** si drift: per client, the files that differ from the image version it carries; per path, on how many hosts (docs/pushupdate.md). */
export async function driftCommand(options: DriftOptions, command: Command): Promise<void> {
  const parallel = countOption('parallel', options.parallel, 16, { min: 1, max: 1000 });
  const timeoutSeconds = countOption('timeout', options.timeout, 60, { min: 1, max: 86_400 });
  const { paths, clients } = await withStore(command, (store) => ({ paths: store.paths, clients: findTargets(store, options) }));
  const hosts = await driftOf(paths, {
    clients,
    parallel,
    timeoutSeconds,
    onDone: options.json ? undefined : (d) => note(`  ${d.host}: ${d.error ? `not checked: ${d.error}` : `${d.added.length + d.changed.length + d.removed.length} differences`}`),
  });
  const byPath = summarizeByPath(hosts);
  if (options.json) printJson({ hosts, paths: byPath });
  else {
    printTable(
      ['HOST', 'IMAGE', 'VERSION', 'ADDED', 'CHANGED', 'REMOVED', 'ERROR'],
      hosts.map((h) => [h.host, h.image ?? '-', h.version ?? '-', h.error ? '-' : h.added.length, h.error ? '-' : h.changed.length, h.error ? '-' : h.removed.length, h.error || '-']),
    );
    printLine();
    if (byPath.length === 0) printLine(`no differences on the ${hosts.filter((h) => !h.error).length} hosts checked`);
    for (const entry of byPath) printLine(describePathDrift(entry));
  }
  const unchecked = hosts.filter((h) => h.error).length;
  if (unchecked > 0) throw new UserError(`${unchecked} of ${hosts.length} hosts could not be checked: see the table for each reason`, 1);
}

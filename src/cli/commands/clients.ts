import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { checkName } from '../../core/names.js';
import { expandHostRange, compressHostNames } from '../../core/clients/host-range.js';
import { parseMacCsv } from '../../core/clients/csv.js';
import { formatClientsCsv, parseClientsCsv } from '../../core/clients/clients-csv.js';
import { parseClientChange, type ClientSetOptions } from '../../core/clients/plan-client-set.js';
import { hostsLines } from '../../core/clients/select-clients.js';
import { lastInstall, type LastInstall } from '../../core/monitor/index.js';
import { writeFileAtomic } from '../../infra/fs/atomic-write.js';
import { lastUpdates, type LastUpdate } from '../../infra/pushupdate/update-results.js';
import { addClients, findClients, importClients, removeClients, setClients } from '../../infra/clients/client-service.js';
import { ingestPendingReports, installEventStore } from '../../infra/reports/index.js';
import { withStore } from '../context.js';
import { readText, splitList } from '../input.js';
import { formatBytes, formatSeconds, note, printJson, printLine, printTable } from '../output.js';

interface AddclientsOptions {
  hosts: string;
  ip: string;
  netmask?: string;
  gateway?: string;
  domain?: string;
  dns?: string;
  image: string;
  group?: string;
  macs?: string;
  dryRun?: boolean;
  json?: boolean;
}

export async function addclientsCommand(options: AddclientsOptions, command: Command): Promise<void> {
  const hosts = expandHostRange(options.hosts);
  const image = checkName('image', options.image);
  const macs = options.macs ? parseMacCsv(readText(options.macs, 'MAC list'), { source: options.macs }) : undefined;
  const request = {
    hosts,
    ip: options.ip,
    netmask: options.netmask,
    gateway: options.gateway ?? null,
    domain: options.domain ?? null,
    dns: splitList(options.dns),
    image,
    group: options.group ?? null,
    macs,
  };
  await withStore(command, (store) => {
    const plan = addClients(store, request, { dryRun: Boolean(options.dryRun) });
    if (options.json) printJson(plan);
    else {
      for (const warning of plan.warnings) note(`warning: ${warning}`);
      for (const conflict of plan.conflicts) note(`conflict: ${conflict.message}`);
      if (options.dryRun && plan.inserts.length > 0) printTable(['HOST', 'IP', 'MACS'], plan.inserts.map((c) => [c.hostname, c.ip, c.macs.join(' ') || '-']));
      const verb = options.dryRun ? 'would add' : 'added';
      const added = plan.inserts.map((c) => c.hostname);
      printLine(`${verb} ${added.length} clients${added.length ? ` (${compressHostNames(added)})` : ''}, ${plan.unchanged.length} unchanged`);
    }
    if (plan.conflicts.length > 0) throw new UserError(`${plan.conflicts.length} conflicts: nothing would be added`);
  });
}

export async function clientListCommand(range: string | undefined, options: { image?: string; json?: boolean }, command: Command): Promise<void> {
  await withStore(command, (store) => {
    for (const line of ingestPendingReports({ paths: store.paths, db: store.db })) note(line);
    if (options.image) store.requireImage(options.image);
    let clients = range ? findClients(store, expandHostRange(range)) : store.clients.listClients();
    if (options.image) clients = clients.filter((c) => c.image === options.image);
    if (options.json) return printJson(clients);
    if (clients.length === 0) return printLine('no clients: define some with si addclients');
    printTable(
      ['HOST', 'IP', 'MACS', 'IMAGE', 'GROUPS', 'BOOT', 'STATE'],
      clients.map((c) => [c.hostname, c.ip, c.discover ? '(discover)' : c.macs.join(' '), c.image, c.groups.join(','), c.bootMode, c.installState]),
    );
  });
}

export async function clientShowCommand(host: string, options: { json?: boolean }, command: Command): Promise<void> {
  await withStore(command, (store) => {
    for (const line of ingestPendingReports({ paths: store.paths, db: store.db })) note(line);
    const [client] = findClients(store, [checkName('host', host)]);
    if (!client) return;
    const last = lastInstall(installEventStore(store.db).list(client.hostname), new Date());
    const updates = lastUpdates(store.db, client.hostname);
    const imageVersion = updates.lastOk ? `${updates.lastOk.image ?? '-'} version ${updates.lastOk.version ?? 'unknown'}` : null;
    if (options.json) return printJson({ ...client, lastInstall: last, imageVersion, lastUpdate: updates.last });
    for (const [key, value] of Object.entries(client)) printLine(`${key.padEnd(13)}${Array.isArray(value) ? value.join(' ') : (value ?? '-')}`);
    printLine(`${'lastInstall'.padEnd(13)}${last ? describeInstall(last) : '-'}`);
    printLine(`${'imageVersion'.padEnd(13)}${imageVersion ?? '-'}`);
    printLine(`${'lastUpdate'.padEnd(13)}${updates.last ? describeUpdate(updates.last) : '-'}`);
  });
}

/** `ok at T (image X version 3, 12 files, 1.2 MiB received)` or `failed at T: reason` (si pushupdate). */
function describeUpdate(update: LastUpdate): string {
  if (update.result !== 'ok') return `${update.result} at ${update.at}: ${update.reason}`;
  const files = update.files === null ? '' : `, ${update.files} files`;
  const bytes = update.bytesReceived === null ? '' : `, ${formatBytes(update.bytesReceived)} received`;
  return `ok at ${update.at} (image ${update.image ?? '-'} version ${update.version ?? 'unknown'}${files}${bytes})`;
}

/** `installed at T (phase report), started S, took 2 min 3 s`; a running one says how long so far. */
function describeInstall(last: LastInstall): string {
  const took = formatSeconds(last.seconds);
  if (last.endedAt === null) return `installing since ${last.startedAt} (phase ${last.phase}${last.percent === null ? '' : `, ${Math.floor(last.percent)}%`}), ${took} so far`;
  return `${last.state} at ${last.endedAt} (phase ${last.phase}), started ${last.startedAt}, took ${took}`;
}

export async function clientSetCommand(range: string, options: ClientSetOptions & { dryRun?: boolean; json?: boolean }, command: Command): Promise<void> {
  const hosts = expandHostRange(range);
  const change = parseClientChange(options);
  await withStore(command, (store) => {
    const plan = setClients(store, hosts, change, { dryRun: Boolean(options.dryRun) });
    if (options.json) return printJson(plan.changed);
    const verb = options.dryRun ? 'would change' : 'changed';
    const names = plan.changed.map((c) => c.hostname);
    printLine(`${verb} ${names.length} clients${names.length ? ` (${compressHostNames(names)})` : ''}, ${plan.unchanged.length} unchanged`);
  });
}

export async function clientRmCommand(range: string, options: { dryRun?: boolean; json?: boolean }, command: Command): Promise<void> {
  const hosts = expandHostRange(range);
  await withStore(command, (store) => {
    const removed = removeClients(store, hosts, { dryRun: Boolean(options.dryRun) });
    if (options.json) return printJson(removed.map((c) => c.hostname));
    printLine(`${options.dryRun ? 'would remove' : 'removed'} ${removed.length} clients (${compressHostNames(removed.map((c) => c.hostname))})`);
  });
}

export async function clientExportCommand(options: { output?: string }, command: Command): Promise<void> {
  await withStore(command, (store) => {
    const csv = formatClientsCsv(store.clients.listClients());
    if (!options.output) return void process.stdout.write(csv);
    writeFileAtomic(options.output, csv);
  });
}

export async function clientImportCommand(file: string, options: { dryRun?: boolean; json?: boolean }, command: Command): Promise<void> {
  const records = parseClientsCsv(readText(file, 'clients CSV'), { source: file });
  await withStore(command, (store) => {
    const plan = importClients(store, records, { dryRun: Boolean(options.dryRun) });
    const result = { added: plan.added, changed: plan.changed, unchanged: plan.unchanged };
    if (options.json) return printJson(result);
    const verb = options.dryRun ? 'would import' : 'imported';
    printLine(`${verb}: ${result.added.length} added, ${result.changed.length} changed, ${result.unchanged.length} unchanged`);
  });
}

export async function hostsCommand(options: { image?: string; json?: boolean }, command: Command): Promise<void> {
  await withStore(command, (store) => {
    if (options.image) store.requireImage(options.image);
    const lines = hostsLines(store.clients.listClients().filter((c) => !options.image || c.image === options.image));
    if (options.json) return printJson(lines);
    printLine('# sisuite clients: generated by si hosts');
    for (const line of lines) printLine(`${line.ip}\t${line.names.join(' ')}`);
  });
}

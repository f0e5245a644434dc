import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { checkName } from '../../core/names.js';
import { expandHostRange, compressHostNames } from '../../core/clients/host-range.js';
import { parseMacCsv } from '../../core/clients/csv.js';
import { formatClientsCsv, parseClientsCsv } from '../../core/clients/clients-csv.js';
import { BOOT_MODES, INSTALL_STATES, normalizeDomain, type ClientRecord } from '../../core/clients/client-record.js';
import { writeFileAtomic } from '../../infra/fs/atomic-write.js';
import { ClientService } from '../../infra/clients/client-service.js';
import { ingestPendingReports, installEventStore } from '../../infra/reports/index.js';
import { withStore } from '../context.js';
import { oneOf, readText, splitList } from '../input.js';
import { note, printJson, printLine, printTable } from '../output.js';

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
    const plan = new ClientService(store).add(request, { dryRun: Boolean(options.dryRun) });
    if (options.json) printJson(plan);
    else {
      for (const warning of plan.warnings) note(`warning: ${warning}`);
      for (const conflict of plan.conflicts) note(`conflict: ${conflict.message}`);
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
    const service = new ClientService(store);
    let clients = range ? service.select(range) : service.registry.listClients();
    if (options.image) clients = clients.filter((c) => c.image === options.image);
    if (options.json) return printJson(clients);
    if (clients.length === 0) return printLine('no clients: define some with si addclients');
    printTable(
      ['HOST', 'IP', 'MACS', 'IMAGE', 'GROUPS', 'BOOT', 'STATE'],
      clients.map((c) => [c.hostname, c.ip, c.macs.join(' '), c.image, c.groups.join(','), c.bootMode, c.installState]),
    );
  });
}

export async function clientShowCommand(host: string, options: { json?: boolean }, command: Command): Promise<void> {
  await withStore(command, (store) => {
    for (const line of ingestPendingReports({ paths: store.paths, db: store.db })) note(line);
    const [client] = new ClientService(store).select(checkName('host', host));
    if (!client) return;
    const last = installEventStore(store.db).last(client.hostname);
    if (options.json) return printJson({ ...client, lastInstall: last && { state: last.state, at: last.at, phase: last.phase, message: last.message } });
    for (const [key, value] of Object.entries(client)) printLine(`${key.padEnd(13)}${Array.isArray(value) ? value.join(' ') : (value ?? '-')}`);
    printLine(`${'lastInstall'.padEnd(13)}${last ? `${last.state} at ${last.at} (phase ${last.phase})` : '-'}`);
  });
}

interface ClientSetOptions {
  image?: string;
  groups?: string;
  overrides?: string;
  boot?: string;
  state?: string;
  gateway?: string;
  dns?: string;
  domain?: string;
  dryRun?: boolean;
  json?: boolean;
}

export async function clientSetCommand(range: string, options: ClientSetOptions, command: Command): Promise<void> {
  const change = clientChange(options);
  await withStore(command, (store) => {
    const updated = new ClientService(store).update(range, change, { dryRun: Boolean(options.dryRun) });
    if (options.json) return printJson(updated);
    printLine(`${options.dryRun ? 'would change' : 'changed'} ${updated.length} clients (${compressHostNames(updated.map((c) => c.hostname))})`);
  });
}

/** Validates every option before any client is touched. */
function clientChange(options: ClientSetOptions): (client: ClientRecord) => ClientRecord {
  const image = options.image === undefined ? undefined : checkName('image', options.image);
  const groups = options.groups === undefined ? undefined : splitList(options.groups).map((g) => checkName('group', g));
  const overrides = options.overrides === undefined ? undefined : splitList(options.overrides).map((o) => checkName('group', o));
  const boot = options.boot === undefined ? undefined : oneOf(options.boot, BOOT_MODES, '--boot');
  const state = options.state === undefined ? undefined : oneOf(options.state, INSTALL_STATES, '--state');
  const domain = options.domain === undefined ? undefined : options.domain === '' ? null : normalizeDomain(options.domain);
  const dns = options.dns === undefined ? undefined : splitList(options.dns);
  return (client) => ({
    ...client,
    ...(image !== undefined && { image }),
    ...(groups !== undefined && { groups }),
    ...(overrides !== undefined && { overrides }),
    ...(boot !== undefined && { bootMode: boot }),
    ...(state !== undefined && { installState: state }),
    ...(domain !== undefined && { domain }),
    ...(dns !== undefined && { dns }),
    ...(options.gateway !== undefined && { gateway: options.gateway === '' ? null : options.gateway }),
  });
}

export async function clientRmCommand(range: string, options: { dryRun?: boolean; json?: boolean }, command: Command): Promise<void> {
  await withStore(command, (store) => {
    const removed = new ClientService(store).remove(range, { dryRun: Boolean(options.dryRun) });
    if (options.json) return printJson(removed.map((c) => c.hostname));
    printLine(`${options.dryRun ? 'would remove' : 'removed'} ${removed.length} clients (${compressHostNames(removed.map((c) => c.hostname))})`);
  });
}

export async function clientExportCommand(options: { output?: string }, command: Command): Promise<void> {
  await withStore(command, (store) => {
    const csv = formatClientsCsv(new ClientService(store).registry.listClients());
    if (!options.output) return void process.stdout.write(csv);
    writeFileAtomic(options.output, csv);
  });
}

export async function clientImportCommand(file: string, options: { dryRun?: boolean; json?: boolean }, command: Command): Promise<void> {
  const records = parseClientsCsv(readText(file, 'clients CSV'), { source: file });
  await withStore(command, (store) => {
    const result = new ClientService(store).import(records, { dryRun: Boolean(options.dryRun) });
    if (options.json) return printJson(result);
    const verb = options.dryRun ? 'would import' : 'imported';
    printLine(`${verb}: ${result.added.length} added, ${result.changed.length} changed, ${result.unchanged.length} unchanged`);
  });
}

export async function hostsCommand(options: { image?: string; json?: boolean }, command: Command): Promise<void> {
  await withStore(command, (store) => {
    const clients = new ClientService(store).registry.listClients().filter((c) => !options.image || c.image === options.image);
    const lines = clients.map((c) => ({ ip: c.ip, names: [...(c.domain ? [`${c.hostname}.${c.domain}`] : []), c.hostname] }));
    if (options.json) return printJson(lines);
    printLine('# sisuite clients: generated by si hosts');
    for (const line of lines) printLine(`${line.ip}\t${line.names.join(' ')}`);
  });
}

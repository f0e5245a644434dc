import { UserError } from '../../core/errors.js';
import { checkName } from '../../core/names.js';
import type { ClientRecord } from '../../core/clients/client-record.js';
import { expandHostRange } from '../../core/clients/host-range.js';
import { planAddClients, type AddClientsPlan, type AddClientsRequest } from '../../core/clients/plan-add-clients.js';
import type { ClientStore } from '../../core/registry/client-store.js';
import type { ImageStore } from '../images/image-store.js';

/** Client operations over the registry: plans from core, one transaction each, nothing written on refusal. */
export class ClientService {
  readonly registry: ClientStore;

  constructor(readonly store: ImageStore) {
    this.registry = store.clients;
  }

  add(request: AddClientsRequest, options: { dryRun: boolean }): AddClientsPlan {
    this.store.requireImage(request.image);
    const group = request.group ? checkName('group', request.group) : null;
    const plan = planAddClients({ request, existing: this.registry.listClients() });
    // A dry run shows every conflict; the caller decides the exit code.
    if (options.dryRun) return plan;
    refuseConflicts(plan.conflicts.map((c) => c.message));
    const now = new Date().toISOString();
    this.store.db.transaction(() => {
      // A group named on the command line is created on first use, with no image of its own.
      if (group && !this.registry.findGroup(group)) this.registry.saveGroup({ name: group, image: null, overrides: [] }, now);
      this.registry.saveClients(plan.inserts, now);
    })();
    return plan;
  }

  /** The registered clients a range names; every name must exist. */
  select(range: string): ClientRecord[] {
    const names = expandHostRange(range);
    const clients: ClientRecord[] = [];
    const missing: string[] = [];
    for (const name of names) {
      const client = this.registry.findClient(name);
      if (client) clients.push(client);
      else missing.push(name);
    }
    if (missing.length > 0) {
      throw new UserError(`no client named ${missing[0]}${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}: see 'si client list', or add it with 'si addclients'`);
    }
    return clients;
  }

  /** Applies a change to each selected client and saves them together. */
  update(range: string, change: (client: ClientRecord) => ClientRecord, options: { dryRun: boolean }): ClientRecord[] {
    const updated = this.select(range).map(change);
    for (const client of updated) this.store.requireImage(client.image);
    if (!options.dryRun) this.registry.saveClients(updated, new Date().toISOString());
    return updated;
  }

  remove(range: string, options: { dryRun: boolean }): ClientRecord[] {
    const clients = this.select(range);
    if (!options.dryRun) this.registry.deleteClients(clients.map((c) => c.hostname));
    return clients;
  }

  /**
   * CSV import: new hosts are added, listed hosts are replaced by their CSV record; an IP or MAC held
   * by a host outside the file is refused. Importing an export changes nothing.
   */
  import(records: readonly ClientRecord[], options: { dryRun: boolean }): { added: string[]; changed: string[]; unchanged: string[] } {
    const existing = new Map(this.registry.listClients().map((c) => [c.hostname, c]));
    const importing = new Set(records.map((r) => r.hostname));
    const holders = new Map<string, string>();
    for (const client of existing.values()) {
      if (importing.has(client.hostname)) continue;
      holders.set(`IP ${client.ip}`, client.hostname);
      for (const mac of client.macs) holders.set(`MAC ${mac}`, client.hostname);
    }
    const conflicts: string[] = [];
    for (const record of records) {
      this.store.requireImage(record.image);
      for (const key of [`IP ${record.ip}`, ...record.macs.map((m) => `MAC ${m}`)]) {
        const holder = holders.get(key);
        if (holder) conflicts.push(`${key} for ${record.hostname} is already held by ${holder}`);
      }
    }
    refuseConflicts(conflicts);
    const result = { added: [] as string[], changed: [] as string[], unchanged: [] as string[] };
    const toSave: ClientRecord[] = [];
    for (const record of records) {
      const current = existing.get(record.hostname);
      if (!current) result.added.push(record.hostname);
      else if (JSON.stringify(current) === JSON.stringify(record)) {
        result.unchanged.push(record.hostname);
        continue;
      } else result.changed.push(record.hostname);
      toSave.push(record);
    }
    if (!options.dryRun) this.registry.saveClients(toSave, new Date().toISOString());
    return result;
  }
}

function refuseConflicts(conflicts: readonly string[]): void {
  if (conflicts.length === 0) return;
  const more = conflicts.length > 1 ? ` (and ${conflicts.length - 1} more; --dry-run lists them all)` : '';
  throw new UserError(`${conflicts[0]}${more}; nothing was added`);
}

import { UserError } from '../../core/errors.js';
import type { ClientRecord } from '../../core/clients/client-record.js';
import { planAddClients, type AddClientsPlan, type AddClientsRequest } from '../../core/clients/plan-add-clients.js';
import { planClientSet, type ClientChange, type ClientSetPlan } from '../../core/clients/plan-client-set.js';
import { planImport, type ImportPlan } from '../../core/clients/plan-import.js';
import { selectClients } from '../../core/clients/select-clients.js';
import { checkClient, type KnownNames } from '../../core/clients/validate-client.js';
import type { ImageStore } from '../images/image-store.js';
import { readCheckWrite } from './read-check-write.js';

/** Client operations: plans from core, applied under the transaction rule; nothing is written on refusal. */

export function knownNames(store: ImageStore): KnownNames {
  return {
    images: new Set(store.registry.listImages().map((i) => i.name)),
    groups: new Set(store.clients.listGroups().map((g) => g.name)),
  };
}

export function addClients(store: ImageStore, request: AddClientsRequest, { dryRun }: { dryRun: boolean }): AddClientsPlan {
  store.requireImage(request.image);
  const plan = (): AddClientsPlan => {
    const result = planAddClients({ request, existing: store.clients.listClients() });
    // A group named on the command line is created on first use, with no image of its own.
    const known = knownNames(store);
    const groups = request.group ? new Set([...known.groups, request.group]) : known.groups;
    result.inserts = result.inserts.map((record) => checkClient(record, { ...known, groups }));
    // A dry run shows every conflict; the caller decides the exit code.
    if (!dryRun) refuseConflicts(result.conflicts.map((c) => c.message));
    return result;
  };
  return readCheckWrite(
    store.clients,
    plan,
    (result) => {
      const now = new Date().toISOString();
      if (request.group && !store.clients.findGroup(request.group)) store.clients.saveGroup({ name: request.group, image: null, overrides: [] }, now);
      store.clients.saveClients(result.inserts, now);
    },
    { dryRun },
  );
}

export function findClients(store: ImageStore, hosts: readonly string[]): ClientRecord[] {
  return selectClients(hosts, (name) => store.clients.findClient(name));
}

export function setClients(store: ImageStore, hosts: readonly string[], change: ClientChange, { dryRun }: { dryRun: boolean }): ClientSetPlan {
  return readCheckWrite(
    store.clients,
    () => planClientSet({ selected: findClients(store, hosts), change, all: store.clients.listClients(), known: knownNames(store) }),
    (plan) => store.clients.saveClients(plan.changed, new Date().toISOString()),
    { dryRun },
  );
}

export function removeClients(store: ImageStore, hosts: readonly string[], { dryRun }: { dryRun: boolean }): ClientRecord[] {
  return readCheckWrite(
    store.clients,
    () => findClients(store, hosts),
    (clients) => store.clients.deleteClients(clients.map((c) => c.hostname)),
    { dryRun },
  );
}

export function importClients(store: ImageStore, records: readonly ClientRecord[], { dryRun }: { dryRun: boolean }): ImportPlan {
  return readCheckWrite(
    store.clients,
    () => planImport({ records, existing: store.clients.listClients(), known: knownNames(store) }),
    (plan) => store.clients.saveClients(plan.save, new Date().toISOString()),
    { dryRun },
  );
}

function refuseConflicts(conflicts: readonly string[]): void {
  if (conflicts.length === 0) return;
  const more = conflicts.length > 1 ? ` (and ${conflicts.length - 1} more; --dry-run lists them all)` : '';
  throw new UserError(`${conflicts[0]}${more}; nothing was added`);
}

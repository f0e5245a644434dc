import { planGroupRemove, planGroupSave, type GroupRequest } from '../../core/clients/plan-groups.js';
import type { GroupRecord } from '../../core/registry/client-store.js';
import type { ImageStore } from '../images/image-store.js';
import { readCheckWrite } from './read-check-write.js';

/** Group operations: plans from core, applied under the transaction rule. */

export function saveGroup(store: ImageStore, mode: 'add' | 'set', request: GroupRequest): GroupRecord {
  return readCheckWrite(
    store.clients,
    () =>
      planGroupSave({
        mode,
        request,
        existing: store.clients.findGroup(request.name),
        images: new Set(store.registry.listImages().map((i) => i.name)),
      }),
    (group) => store.clients.saveGroup(group, new Date().toISOString()),
    { dryRun: false },
  );
}

export function removeGroup(store: ImageStore, name: string): string {
  return readCheckWrite(
    store.clients,
    () => planGroupRemove({ name, existing: store.clients.findGroup(name), clients: store.clients.listClients() }),
    (doomed) => store.clients.deleteGroup(doomed),
    { dryRun: false },
  );
}

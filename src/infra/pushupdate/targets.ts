import type { ClientRecord } from '../../core/clients/client-record.js';
import { expandHostRange } from '../../core/clients/host-range.js';
import { checkName } from '../../core/names.js';
import { chooseTargets } from '../../core/pushupdate/targets.js';
import type { ImageStore } from '../images/image-store.js';

/** The registered clients of --clients RANGE or --group G (pushupdate, drift). */
export function findTargets(store: ImageStore, request: { clients?: string; group?: string }): ClientRecord[] {
  const hosts = request.clients !== undefined ? expandHostRange(request.clients) : undefined;
  const group = request.group !== undefined ? checkName('group', request.group) : undefined;
  return chooseTargets(
    { hosts, group },
    {
      find: (hostname) => store.clients.findClient(hostname),
      all: () => store.clients.listClients(),
      groupExists: (name) => store.clients.findGroup(name) !== undefined,
    },
  );
}

import type { ClientRecord } from '../clients/client-record.js';
import { selectClients } from '../clients/select-clients.js';
import { UserError } from '../errors.js';

/** Which clients a pushupdate or drift run reaches: --clients RANGE or --group G, exactly one of them. */
export interface TargetRequest {
  /** Host names, already expanded from the range. */
  hosts?: readonly string[];
  group?: string;
}

export function chooseTargets(
  request: TargetRequest,
  registry: { find(hostname: string): ClientRecord | undefined; all(): ClientRecord[]; groupExists(name: string): boolean },
): ClientRecord[] {
  if (request.hosts && request.group) throw new UserError('give --clients or --group, not both');
  if (request.hosts) return selectClients(request.hosts, registry.find);
  if (request.group) {
    if (!registry.groupExists(request.group)) throw new UserError(`no group named ${request.group}: see 'si group list'`);
    const members = registry.all().filter((c) => c.groups.includes(request.group as string));
    if (members.length === 0) throw new UserError(`group ${request.group} has no clients: add some with 'si client set RANGE --groups ${request.group}'`);
    return members;
  }
  throw new UserError('name the clients: --clients RANGE (e.g. node[001-040]) or --group NAME');
}

/** A whole number option within bounds, or one line saying what is wanted. */
export function countOption(name: string, text: string | undefined, fallback: number, { min, max }: { min: number; max: number }): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,7}$/.test(text) || Number(text) < min || Number(text) > max) throw new UserError(`invalid --${name} ${JSON.stringify(text)}: give a whole number from ${min} to ${max}`);
  return Number(text);
}

import { UserError } from '../errors.js';
import { checkName } from '../names.js';
import type { ClientRecord } from './client-record.js';
import type { GroupRecord } from '../registry/client-store.js';
import { checkOverrideName } from './validate-client.js';

/** What `si group add/set` asks for, before the registry is read. Undefined leaves a field as it is. */
export interface GroupRequest {
  name: string;
  image?: string | undefined;
  overrides?: readonly string[] | undefined;
}

/** The one group validator: a group's name, image and override trees, as every path that writes a group sees them. */
export function checkGroup(group: GroupRecord, images: ReadonlySet<string>): GroupRecord {
  const name = checkName('group', group.name);
  if (group.image !== null) {
    checkName('image', group.image);
    if (!images.has(group.image)) throw new UserError(`no image named ${group.image}: see 'si image list'`);
  }
  const overrides = group.overrides.map(checkOverrideName);
  const repeated = overrides.find((o, i) => overrides.indexOf(o) !== i);
  if (repeated !== undefined) throw new UserError(`group ${name}: override ${repeated} is listed twice; list each override once`);
  return { name, image: group.image, overrides };
}

/** Plans `si group add` (mode add) or `si group set` (mode set): the record to save. */
export function planGroupSave({
  mode,
  request,
  existing,
  images,
}: {
  mode: 'add' | 'set';
  request: GroupRequest;
  existing: GroupRecord | undefined;
  images: ReadonlySet<string>;
}): GroupRecord {
  const name = checkName('group', request.name);
  if (mode === 'add' && existing) throw new UserError(`group ${name} exists already: change it with 'si group set ${name}'`);
  if (mode === 'set' && !existing) throw new UserError(`no group named ${name}: create it with 'si group add ${name}'`);
  if (mode === 'set' && request.image === undefined && request.overrides === undefined) {
    throw new UserError(`nothing to change for group ${name}: give --image or --overrides`);
  }
  return checkGroup(
    {
      name,
      image: request.image ?? existing?.image ?? null,
      overrides: request.overrides === undefined ? (existing?.overrides ?? []) : [...request.overrides],
    },
    images,
  );
}

/** Plans `si group rm`: only an existing group without members goes. */
export function planGroupRemove({ name, existing, clients }: { name: string; existing: GroupRecord | undefined; clients: readonly ClientRecord[] }): string {
  checkName('group', name);
  if (!existing) throw new UserError(`no group named ${name}: see 'si group list'`);
  const members = groupMembers(name, clients);
  if (members.length > 0) {
    throw new UserError(`group ${name} still has ${members.length} members (${members[0]}...): move them with 'si client set RANGE --groups ...' first`);
  }
  return name;
}

/** The hosts in a group, in registry order. */
export function groupMembers(name: string, clients: readonly ClientRecord[]): string[] {
  return clients.filter((c) => c.groups.includes(name)).map((c) => c.hostname);
}

/** Groups with their member counts, for `si group list`. */
export function listGroupsWithMembers(groups: readonly GroupRecord[], clients: readonly ClientRecord[]): (GroupRecord & { members: number })[] {
  return groups.map((g) => ({ ...g, members: groupMembers(g.name, clients).length }));
}

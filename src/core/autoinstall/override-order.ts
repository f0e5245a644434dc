import type { ClientRecord } from '../clients/client-record.js';

/** A group as the override order needs it: its name and its own override trees, in order. */
export interface GroupOverrides {
  name: string;
  overrides: readonly string[];
}

/**
 * The classes of a client, in the order their override trees apply: each of its groups in order, each
 * followed by that group's own override list. Hooks are selected by these classes too.
 */
export function groupClasses(client: Pick<ClientRecord, 'groups'>, groups: ReadonlyMap<string, GroupOverrides>): string[] {
  return client.groups.flatMap((name) => [name, ...(groups.get(name)?.overrides ?? [])]);
}

/**
 * The override trees a client's install applies, in order: its group classes, then the record's own list;
 * each once (its first place), and only those that have a tree on the server.
 */
export function overrideOrder({ classes, own, available }: { classes: readonly string[]; own: readonly string[]; available: ReadonlySet<string> }): string[] {
  return [...new Set([...classes, ...own])].filter((name) => available.has(name));
}

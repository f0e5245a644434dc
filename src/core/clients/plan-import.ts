import type { ClientRecord } from './client-record.js';
import { checkClient, findHolderClashes, refuseAll, type KnownNames } from './validate-client.js';

export interface ImportPlan {
  added: string[];
  changed: string[];
  unchanged: string[];
  /** The records to write: added and changed ones, validated and normalised. */
  save: ClientRecord[];
}

/**
 * Plans `si client import`: new hosts are added, listed hosts are replaced by their CSV record, every record
 * goes through the client validator, and an IP or MAC held by a host outside the file is refused. Importing
 * an export changes nothing.
 */
export function planImport({ records, existing, known }: { records: readonly ClientRecord[]; existing: readonly ClientRecord[]; known: KnownNames }): ImportPlan {
  const current = new Map(existing.map((c) => [c.hostname, c]));
  const plan: ImportPlan = { added: [], changed: [], unchanged: [], save: [] };
  const wanted = records.map((record) => checkClient(record, known));
  for (const record of wanted) {
    const had = current.get(record.hostname);
    if (!had) plan.added.push(record.hostname);
    else if (JSON.stringify(had) === JSON.stringify(record)) {
      plan.unchanged.push(record.hostname);
      continue;
    } else plan.changed.push(record.hostname);
    plan.save.push(record);
  }
  const importing = new Set(wanted.map((r) => r.hostname));
  const after = [...existing.filter((c) => !importing.has(c.hostname)), ...wanted];
  refuseAll(findHolderClashes(after, importing), 'nothing was imported');
  return plan;
}

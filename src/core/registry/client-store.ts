import type { ClientRecord } from '../clients/client-record.js';

/** A client group: an image its members may share and override trees applied after the image. */
export interface GroupRecord {
  name: string;
  image: string | null;
  overrides: string[];
}

/**
 * The client registry as the rest of sisuite sees it: clients, groups and per-image install layouts.
 * Commands, the renderers and the boot server ask this interface, never a concrete registry class, so a
 * second implementation (a test double, a read-only replica) drops in. MACs are in lower-case colon form.
 */
export interface ClientStore {
  listClients(): ClientRecord[];
  findClient(hostname: string): ClientRecord | undefined;
  /** "Who is this MAC?": asked by the boot server on every request. */
  findClientByMac(mac: string): ClientRecord | undefined;
  findClientByIp(ip: string): ClientRecord | undefined;
  clientsOfImage(image: string): ClientRecord[];
  /** Inserts or replaces whole records (MACs included), all together. */
  saveClients(records: readonly ClientRecord[], now: string): void;
  deleteClients(hostnames: readonly string[]): void;

  listGroups(): GroupRecord[];
  findGroup(name: string): GroupRecord | undefined;
  saveGroup(group: GroupRecord, now: string): void;
  deleteGroup(name: string): void;

  /** The install layout set with `si layout set`, as stored JSON text; null when the image uses its default. */
  findLayoutText(image: string): string | null;
  saveLayoutText(image: string, text: string, now: string): void;

  /**
   * Runs `work` as one write transaction that holds the registry's write lock from its first statement:
   * a read-check-write inside it sees exactly what its write changes (the transaction rule, docs/decisions.md).
   */
  writeTransaction<T>(work: () => T): T;

  /** A number that changes whenever another process commits to the registry (SQLite's data_version). */
  changeMark(): number;
}

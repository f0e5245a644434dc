import type { Db } from './database.js';
import type { ClientRecord, BootMode, InstallState } from '../../core/clients/client-record.js';
import type { ClientStore, GroupRecord } from '../../core/registry/client-store.js';
import { immediate } from './write-transaction.js';

interface RawClient {
  hostname: string;
  domain: string | null;
  ip: string;
  netmask: string;
  gateway: string | null;
  dns: string;
  image: string;
  groups: string;
  overrides: string;
  boot_mode: string;
  install_state: string;
  discover: number;
  macs: string | null;
}

const SELECT_CLIENTS = `
  SELECT c.*, (SELECT group_concat(mac, ' ') FROM (SELECT mac FROM client_macs m WHERE m.hostname = c.hostname ORDER BY position)) AS macs
  FROM clients c`;

const toClient = (r: RawClient): ClientRecord => ({
  hostname: r.hostname,
  domain: r.domain,
  ip: r.ip,
  netmask: r.netmask,
  gateway: r.gateway,
  dns: JSON.parse(r.dns) as string[],
  macs: r.macs ? r.macs.split(' ') : [],
  image: r.image,
  groups: JSON.parse(r.groups) as string[],
  overrides: JSON.parse(r.overrides) as string[],
  bootMode: r.boot_mode as BootMode,
  installState: r.install_state as InstallState,
  discover: r.discover === 1,
});

/** The client store on SQLite: clients, their MACs, groups and per-image install layouts. */
export class ClientRegistry implements ClientStore {
  constructor(readonly db: Db) {}

  /** BEGIN IMMEDIATE: takes the write lock before the first read, so no other writer slips between check and write. */
  writeTransaction<T>(work: () => T): T {
    return immediate(this.db, work);
  }

  changeMark(): number {
    return Number(this.db.pragma('data_version', { simple: true }));
  }

  listClients(): ClientRecord[] {
    return (this.db.prepare(`${SELECT_CLIENTS} ORDER BY c.hostname`).all() as RawClient[]).map(toClient);
  }

  findClient(hostname: string): ClientRecord | undefined {
    const row = this.db.prepare(`${SELECT_CLIENTS} WHERE c.hostname = ?`).get(hostname) as RawClient | undefined;
    return row && toClient(row);
  }

  findClientByMac(mac: string): ClientRecord | undefined {
    const row = this.db
      .prepare(`${SELECT_CLIENTS} WHERE c.hostname = (SELECT hostname FROM client_macs WHERE mac = ?)`)
      .get(mac) as RawClient | undefined;
    return row && toClient(row);
  }

  findClientByIp(ip: string): ClientRecord | undefined {
    const row = this.db.prepare(`${SELECT_CLIENTS} WHERE c.ip = ?`).get(ip) as RawClient | undefined;
    return row && toClient(row);
  }

  clientsOfImage(image: string): ClientRecord[] {
    return (this.db.prepare(`${SELECT_CLIENTS} WHERE c.image = ? ORDER BY c.hostname`).all(image) as RawClient[]).map(toClient);
  }

  /** Inserts or replaces whole records (MACs included), all in one transaction. */
  saveClients(records: readonly ClientRecord[], now: string): void {
    const upsert = this.db.prepare(`
      INSERT INTO clients (hostname, domain, ip, netmask, gateway, dns, image, groups, overrides, boot_mode, install_state, discover, created_at, updated_at)
      VALUES (@hostname, @domain, @ip, @netmask, @gateway, @dns, @image, @groups, @overrides, @bootMode, @installState, @discover, @now, @now)
      ON CONFLICT(hostname) DO UPDATE SET domain = excluded.domain, ip = excluded.ip, netmask = excluded.netmask,
        gateway = excluded.gateway, dns = excluded.dns, image = excluded.image, groups = excluded.groups,
        overrides = excluded.overrides, boot_mode = excluded.boot_mode, install_state = excluded.install_state,
        discover = excluded.discover, updated_at = excluded.updated_at`);
    const clearMacs = this.db.prepare('DELETE FROM client_macs WHERE hostname = ?');
    const addMac = this.db.prepare('INSERT INTO client_macs (mac, hostname, position) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const record of records) {
        upsert.run({
          ...record,
          dns: JSON.stringify(record.dns),
          groups: JSON.stringify(record.groups),
          overrides: JSON.stringify(record.overrides),
          discover: record.discover === true ? 1 : 0,
          now,
        });
        clearMacs.run(record.hostname);
        record.macs.forEach((mac, index) => addMac.run(mac, record.hostname, index));
      }
    })();
  }

  deleteClients(hostnames: readonly string[]): void {
    const remove = this.db.prepare('DELETE FROM clients WHERE hostname = ?');
    this.db.transaction(() => hostnames.forEach((h) => remove.run(h)))();
  }

  listGroups(): GroupRecord[] {
    const rows = this.db.prepare('SELECT name, image, overrides FROM groups ORDER BY name').all() as { name: string; image: string | null; overrides: string }[];
    return rows.map((r) => ({ name: r.name, image: r.image, overrides: JSON.parse(r.overrides) as string[] }));
  }

  findGroup(name: string): GroupRecord | undefined {
    return this.listGroups().find((g) => g.name === name);
  }

  saveGroup(group: GroupRecord, now: string): void {
    this.db
      .prepare(
        `INSERT INTO groups (name, image, overrides, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET image = excluded.image, overrides = excluded.overrides, updated_at = excluded.updated_at`,
      )
      .run(group.name, group.image, JSON.stringify(group.overrides), now, now);
  }

  deleteGroup(name: string): void {
    this.db.prepare('DELETE FROM groups WHERE name = ?').run(name);
  }

  /** The install layout set with `si layout set`, as stored JSON text; null when the image uses its default. */
  findLayoutText(image: string): string | null {
    const row = this.db.prepare('SELECT layout FROM image_layouts WHERE image = ?').get(image) as { layout: string } | undefined;
    return row?.layout ?? null;
  }

  saveLayoutText(image: string, text: string, now: string): void {
    this.db
      .prepare('INSERT INTO image_layouts (image, layout, updated_at) VALUES (?, ?, ?) ON CONFLICT(image) DO UPDATE SET layout = excluded.layout, updated_at = excluded.updated_at')
      .run(image, text, now);
  }
}


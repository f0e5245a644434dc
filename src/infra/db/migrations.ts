/**
 * Schema migrations, applied in order and recorded in PRAGMA user_version.
 * Never edit a released migration: add the next one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'images and versions',
    sql: `
      CREATE TABLE images (
        name TEXT PRIMARY KEY,
        current_version INTEGER,
        last_version INTEGER NOT NULL DEFAULT 0,
        origin TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE versions (
        image TEXT NOT NULL REFERENCES images(name) ON DELETE CASCADE ON UPDATE CASCADE,
        number INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        source TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        file_count INTEGER NOT NULL,
        layout TEXT,
        excludes TEXT NOT NULL DEFAULT '[]',
        note TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (image, number)
      );
    `,
  },
  {
    version: 2,
    name: 'clients, groups and install layouts',
    sql: `
      CREATE TABLE groups (
        name TEXT PRIMARY KEY,
        image TEXT REFERENCES images(name) ON UPDATE CASCADE,
        overrides TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE clients (
        hostname TEXT PRIMARY KEY,
        domain TEXT,
        ip TEXT NOT NULL UNIQUE,
        netmask TEXT NOT NULL,
        gateway TEXT,
        dns TEXT NOT NULL DEFAULT '[]',
        image TEXT NOT NULL REFERENCES images(name) ON UPDATE CASCADE,
        groups TEXT NOT NULL DEFAULT '[]',
        overrides TEXT NOT NULL DEFAULT '[]',
        boot_mode TEXT NOT NULL DEFAULT 'install',
        install_state TEXT NOT NULL DEFAULT 'new',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX clients_image ON clients(image);
      CREATE TABLE client_macs (
        mac TEXT PRIMARY KEY,
        hostname TEXT NOT NULL REFERENCES clients(hostname) ON DELETE CASCADE ON UPDATE CASCADE,
        position INTEGER NOT NULL
      );
      CREATE INDEX client_macs_host ON client_macs(hostname);
      CREATE TABLE image_layouts (
        image TEXT PRIMARY KEY REFERENCES images(name) ON DELETE CASCADE ON UPDATE CASCADE,
        layout TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'install events',
    // One row per install report (docs/autoinstall.md); event_id makes a report recorded twice a no-op.
    sql: `
      CREATE TABLE install_events (
        id INTEGER PRIMARY KEY,
        host TEXT NOT NULL REFERENCES clients(hostname) ON DELETE CASCADE ON UPDATE CASCADE,
        event_id TEXT,
        mac TEXT,
        state TEXT NOT NULL,
        phase TEXT NOT NULL,
        message TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        UNIQUE (host, event_id)
      );
      CREATE INDEX install_events_host_at ON install_events(host, at);
    `,
  },
  {
    version: 4,
    name: 'install progress',
    // Progress of the copy (docs/monitor.md): one row per phase or state change, whose progress and
    // updated_at a later event of the same phase and state overwrite, so the history stays one row per phase.
    sql: `
      ALTER TABLE install_events ADD COLUMN percent REAL;
      ALTER TABLE install_events ADD COLUMN bytes INTEGER;
      ALTER TABLE install_events ADD COLUMN rate INTEGER;
      ALTER TABLE install_events ADD COLUMN updated_at TEXT;
      UPDATE install_events SET updated_at = at;
      CREATE INDEX install_events_updated_at ON install_events(updated_at);
    `,
  },
  {
    version: 5,
    name: 'discovery',
    // discover: the host waits for the first unknown MAC to netboot. netboot_unknown: MACs that asked and matched nothing.
    sql: `
      ALTER TABLE clients ADD COLUMN discover INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE netboot_unknown (
        mac TEXT PRIMARY KEY,
        ip TEXT NOT NULL DEFAULT '',
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        count INTEGER NOT NULL DEFAULT 1
      );
    `,
  },
  {
    version: 6,
    name: 'client updates',
    // One row per host and si pushupdate run (docs/pushupdate.md): si client show reads the newest. A dry run
    // records nothing. image/version: what the host carries after the run (as it said, for a failed one).
    sql: `
      CREATE TABLE client_updates (
        id INTEGER PRIMARY KEY,
        host TEXT NOT NULL REFERENCES clients(hostname) ON DELETE CASCADE ON UPDATE CASCADE,
        result TEXT NOT NULL,
        image TEXT,
        version TEXT,
        files INTEGER,
        bytes_received INTEGER,
        reason TEXT NOT NULL DEFAULT '',
        seconds REAL NOT NULL,
        at TEXT NOT NULL
      );
      CREATE INDEX client_updates_host_at ON client_updates(host, at);
    `,
  },
];

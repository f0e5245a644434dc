import fs from 'node:fs';
import path from 'node:path';
import type { ClientRecord } from '../../core/clients/client-record.js';
import type { HomePaths } from '../../core/home.js';
import { reportPaths } from '../../core/reports/index.js';
import { networksOfClients, planRsyncdConf, rsyncdPaths } from '../../core/rsyncd/index.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { Renderer } from '../templates.js';
import { readFileOrNull } from '../fs/read-optional.js';

export interface WriteRsyncdConfOptions {
  paths: HomePaths;
  renderer: Renderer;
  clients: readonly Pick<ClientRecord, 'ip' | 'netmask'>[];
  /** Names of the images that have a current version (images/NAME exists). */
  images: readonly string[];
  versions?: Readonly<Record<string, number>>;
  address?: string;
  port?: number;
}

/** Renders rsyncd.conf without writing it (for --dry-run and for writeRsyncdConf). */
export function renderRsyncdConf({ paths, renderer, clients, images, versions, address, port }: WriteRsyncdConfOptions): string {
  // Reports are written as the user si runs as: it reads and removes them (root when si runs the daemon on 873).
  const reportsUid = process.getuid?.() ?? 0;
  const reportsGid = process.getgid?.() ?? 0;
  const context = planRsyncdConf({ paths, images, versions, networks: networksOfClients(clients), address, port, reportsUid, reportsGid });
  return renderer.render('rsyncd/rsyncd.conf', context);
}

/**
 * Writes $SI_HOME/rsyncd.conf when its content changed and returns whether it did. The file is replaced
 * by a rename, so a daemon reading it for a new connection sees the old file or the new one, never half.
 * Creates the directories the modules and the log point to; the reports' own are private (0700): a
 * report's log tail is for the administrator only.
 */
export function writeRsyncdConf(options: WriteRsyncdConfOptions): boolean {
  const { paths } = options;
  const text = renderRsyncdConf(options);
  const files = rsyncdPaths(paths);
  for (const dir of [paths.images, paths.scripts, paths.overrides, paths.boot, path.dirname(files.log)]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  const reports = reportPaths(paths);
  for (const dir of [reports.dir, reports.incoming, reports.rejected]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  if (readFileOrNull(files.conf) === text) return false;
  writeFileAtomic(files.conf, text, { mode: 0o644 });
  return true;
}

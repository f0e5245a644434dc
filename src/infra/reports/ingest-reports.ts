import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../../core/home.js';
import { MAX_REPORT_BYTES, parseReport, reportPaths, type InstallReport } from '../../core/reports/index.js';
import type { Db } from '../db/database.js';
import { InstallEvents } from './install-events.js';

export interface IngestResult {
  recorded: (InstallReport & { at: string })[];
  /** Files moved to reports/rejected, with the reason (also appended to log/reports.log). */
  setAside: { file: string; reason: string }[];
}

/** rsync uploads into a dot file and renames it when complete; a dot file this old was abandoned. */
export const STALE_UPLOAD_MS = 60 * 60 * 1000;
/** Files looked at per call, so that a flood of uploads cannot hold the registry; the rest wait for the next call. */
export const MAX_FILES_PER_CALL = 1000;

type Read = { kind: 'text'; text: string; mtimeMs: number } | { kind: 'refused'; reason: string } | { kind: 'gone' };

/**
 * Records the reports waiting in reports/incoming: each valid one for a registered host becomes an
 * install event (and sets the client's install_state), then its file is removed; anything else is set
 * aside in reports/rejected and logged, never trusted. Safe to run from two processes at once: a report
 * is recorded once (its event id is unique per host) and a file that vanished was taken by the other.
 */
export function ingestReports({ paths, db, now = new Date() }: { paths: HomePaths; db: Db; now?: Date }): IngestResult {
  const dirs = reportPaths(paths);
  const result: IngestResult = { recorded: [], setAside: [] };
  const setAside = (name: string, reason: string) => {
    if (moveAside(path.join(dirs.incoming, name), path.join(dirs.rejected, name))) {
      result.setAside.push({ file: name, reason });
      logLine(paths, now, `set aside ${JSON.stringify(name)}: ${reason}`);
    }
  };
  const pending: { name: string; text: string; mtimeMs: number }[] = [];
  for (const name of listNames(dirs.incoming).slice(0, MAX_FILES_PER_CALL)) {
    const file = path.join(dirs.incoming, name);
    if (name.startsWith('.')) {
      if (ageMs(file, now) > STALE_UPLOAD_MS) setAside(name, 'an upload that never completed');
      continue;
    }
    const read = readBounded(file);
    if (read.kind === 'refused') setAside(name, read.reason);
    else if (read.kind === 'text') pending.push({ name, ...read });
  }
  // Oldest upload first: an install's `installing` is recorded before its `installed`.
  pending.sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));
  const events = new InstallEvents(db);
  for (const { name, text, mtimeMs } of pending) {
    const parsed = parseReport(name, text);
    if (!parsed.ok) {
      setAside(name, parsed.reason);
      continue;
    }
    const at = new Date(Math.min(mtimeMs, now.getTime())).toISOString();
    const outcome = events.record(parsed.report, at);
    if (outcome === 'unknown-host') {
      setAside(name, `no client named ${parsed.report.host} in the registry`);
      continue;
    }
    fs.rmSync(path.join(dirs.incoming, name), { force: true });
    if (outcome === 'recorded') result.recorded.push({ ...parsed.report, at });
  }
  return result;
}

function listNames(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Opens without following a link and reads at most MAX_REPORT_BYTES: a report is a small regular file. */
function readBounded(file: string): Read {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'gone' };
    if (code === 'ELOOP') return { kind: 'refused', reason: 'a symbolic link, not a file' };
    if (code === 'ENXIO') return { kind: 'refused', reason: 'not a regular file' };
    throw error;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { kind: 'refused', reason: 'not a regular file' };
    if (stat.size > MAX_REPORT_BYTES) return { kind: 'refused', reason: `larger than ${MAX_REPORT_BYTES} bytes (${stat.size})` };
    const buffer = Buffer.alloc(MAX_REPORT_BYTES + 1);
    const length = fs.readSync(fd, buffer, 0, buffer.length, 0);
    if (length > MAX_REPORT_BYTES) return { kind: 'refused', reason: `larger than ${MAX_REPORT_BYTES} bytes` };
    return { kind: 'text', text: buffer.subarray(0, length).toString('utf8'), mtimeMs: stat.mtimeMs };
  } finally {
    fs.closeSync(fd);
  }
}

function ageMs(file: string, now: Date): number {
  try {
    return now.getTime() - fs.lstatSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** False when the file is gone (another ingester took it). */
function moveAside(from: string, to: string): boolean {
  try {
    fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o700 });
    fs.renameSync(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function logLine(paths: HomePaths, now: Date, line: string): void {
  const log = path.join(paths.home, 'log', 'reports.log');
  fs.mkdirSync(path.dirname(log), { recursive: true });
  fs.appendFileSync(log, `${now.toISOString()} ${line}\n`);
}

import path from 'node:path';
import { z } from 'zod';
import type { HomePaths } from '../home.js';
import { isValidName } from '../names.js';

/** The states an install report may set: `new` is the registry's own, never reported. */
export const REPORTED_STATES = ['installing', 'installed', 'failed'] as const;
export type ReportedState = (typeof REPORTED_STATES)[number];

/** A report file holds a few hundred bytes; anything past this is refused unread (a full disk is the risk). */
export const MAX_REPORT_BYTES = 16 * 1024;
/** The log tail of a failure, as the installer cuts it (10 lines of 200 bytes), escaped: room to spare. */
export const MAX_MESSAGE_CHARS = 8000;

/** Where reports arrive (the rsync module `reports`) and where refused files are set aside. */
export interface ReportPaths {
  dir: string;
  incoming: string;
  rejected: string;
}

export function reportPaths(paths: HomePaths): ReportPaths {
  const dir = path.join(paths.home, 'reports');
  return { dir, incoming: path.join(dir, 'incoming'), rejected: path.join(dir, 'rejected') };
}

/** HOST.EVENT.json: a host name may hold dots, an event id never does. */
const FILE_NAME = /^(.+)\.([0-9a-z][0-9a-z_-]{0,63})\.json$/;
/** An event id, as the installer makes them (its clock, its pid and a count). */
export const EVENT_ID = /^[0-9a-z][0-9a-z_-]{0,63}$/;
const PHASE = /^[a-z][a-z0-9-]{0,31}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** The fields both ways of reporting (uploaded files, the boot server's HTTP events) check alike. */
export const reportFields = {
  host: z.string(),
  state: z.enum(REPORTED_STATES),
  phase: z.string().regex(PHASE, 'a phase name (a-z, 0-9, -)'),
  mac: z
    .string()
    .transform((mac) => mac.toLowerCase())
    .pipe(z.string().regex(MAC, 'a MAC address such as 52:54:00:12:34:56'))
    .or(z.literal('').transform(() => null))
    .nullable()
    .default(null),
  message: z.string().max(MAX_MESSAGE_CHARS).default(''),
};

const reportSchema = z.object({ ...reportFields, event: z.string() });

/** One install report, checked: what the registry records. */
export interface InstallReport {
  host: string;
  /** Null for an HTTP event sent without an id: it cannot be recognised when sent twice. */
  event: string | null;
  state: ReportedState;
  phase: string;
  mac: string | null;
  message: string;
  /** The phase's progress, as HTTP events carry it (docs/monitor.md); absent from uploaded reports. */
  percent?: number | null;
  bytes?: number | null;
  /** Bytes per second. */
  rate?: number | null;
}

export type ParsedReport = { ok: true; report: InstallReport } | { ok: false; reason: string };

/** The host and event a report file name claims, or null for a name that is no report's. */
export function parseReportName(name: string): { host: string; event: string } | null {
  const match = FILE_NAME.exec(name);
  if (!match?.[1] || !match[2] || !isValidName(match[1])) return null;
  return { host: match[1], event: match[2] };
}

/**
 * Parses and checks one uploaded report. Nothing in it is trusted: the name must be HOST.EVENT.json with
 * a valid host name, the text a JSON object of the schema, and the JSON's host and event must be the
 * name's. The reason of a refusal never quotes the file's content (only the schema path).
 */
export function parseReport(name: string, text: string): ParsedReport {
  const claimed = parseReportName(name);
  if (!claimed) return { ok: false, reason: 'the file name is not HOST.EVENT.json with a valid host name' };
  if (Buffer.byteLength(text) > MAX_REPORT_BYTES) return { ok: false, reason: `larger than ${MAX_REPORT_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const result = reportSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, reason: `invalid report: ${issue?.path.join('.') || 'the document'}: ${issue?.message ?? 'does not match'}` };
  }
  const report = result.data;
  if (report.host !== claimed.host) return { ok: false, reason: `the report's host does not match the file name's (${claimed.host})` };
  if (report.event !== claimed.event) return { ok: false, reason: `the report's event does not match the file name's (${claimed.event})` };
  return { ok: true, report };
}

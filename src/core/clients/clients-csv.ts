import { UserError } from '../errors.js';
import { checkName } from '../names.js';
import { checkOverrideName } from './validate-client.js';
import type { ClientRecord } from './client-record.js';
import { BOOT_MODES, INSTALL_STATES, normalizeDomain } from './client-record.js';
import { formatCsvRow, parseCsv, withLine } from './csv.js';
import { DEFAULT_PREFIX, formatIPv4, netmaskFromPrefix, parseIPv4, parseNetmask } from './ipv4.js';
import { normalizeMac } from './mac.js';

/** Export columns, in order. List fields (dns, macs, groups, overrides) are space-separated inside a cell. */
export const CLIENT_CSV_COLUMNS = [
  'hostname',
  'domain',
  'ip',
  'netmask',
  'gateway',
  'dns',
  'macs',
  'image',
  'groups',
  'overrides',
  'boot_mode',
  'install_state',
  'discover',
] as const;
type Column = (typeof CLIENT_CSV_COLUMNS)[number];

const REQUIRED: readonly Column[] = ['hostname', 'ip', 'image'];

/** Clients as CSV with a header line, one client per line, LF line ends. */
export function formatClientsCsv(clients: readonly ClientRecord[]): string {
  const lines = [formatCsvRow(CLIENT_CSV_COLUMNS)];
  for (const c of clients) {
    lines.push(
      formatCsvRow([
        c.hostname,
        c.domain ?? '',
        c.ip,
        c.netmask,
        c.gateway ?? '',
        c.dns.join(' '),
        c.macs.join(' '),
        c.image,
        c.groups.join(' '),
        c.overrides.join(' '),
        c.bootMode,
        c.installState,
        c.discover === true ? 'yes' : '',
      ]),
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Reads clients written by formatClientsCsv (or by hand): a header naming the columns in any order;
 * hostname, ip and image are required, the rest default (netmask /24, boot_mode install, install_state new,
 * discover no).
 * Every value is validated; a hostname, IP or MAC repeated in the file is refused with both lines.
 */
export function parseClientsCsv(text: string, { source = 'clients CSV' } = {}): ClientRecord[] {
  const rows = parseCsv(text, { source, comments: true });
  const header = rows[0];
  if (!header) throw new UserError(`${source} is empty; the first line must name the columns, e.g. ${REQUIRED.join(',')}`);
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  for (const [index, name] of columns.entries()) {
    // Named by position, never echoed: the file may be something other than a clients CSV.
    if (!(CLIENT_CSV_COLUMNS as readonly string[]).includes(name)) {
      throw new UserError(`${source}:${header.line}: column ${index + 1} of the header is not a known column; columns are ${CLIENT_CSV_COLUMNS.join(',')}`);
    }
  }
  for (const name of REQUIRED) {
    if (!columns.includes(name)) throw new UserError(`${source}:${header.line}: the header has no ${name} column; add it`);
  }
  const seen = { hostname: new Map<string, number>(), ip: new Map<string, number>(), mac: new Map<string, number>() };
  const claim = (kind: keyof typeof seen, value: string, line: number, at: string) => {
    const earlier = seen[kind].get(value);
    if (earlier !== undefined) throw new UserError(`${at}: ${kind} ${value} is already used on line ${earlier}; each must be unique`);
    seen[kind].set(value, line);
  };

  return rows.slice(1).map((row) => {
    const at = `${source}:${row.line}`;
    if (row.fields.length !== columns.length) {
      throw new UserError(`${at}: ${row.fields.length} fields, but the header has ${columns.length}; quote values that contain commas`);
    }
    const cell = (name: Column) => {
      const index = columns.indexOf(name);
      return index === -1 ? '' : (row.fields[index] ?? '').trim();
    };
    const list = (name: Column) => cell(name).split(/\s+/).filter((v) => v !== '');
    const record = withLine(at, () => readRecord(cell, list));
    claim('hostname', record.hostname, row.line, at);
    claim('ip', record.ip, row.line, at);
    for (const mac of record.macs) claim('mac', mac, row.line, at);
    return record;
  });
}

function readRecord(cell: (name: Column) => string, list: (name: Column) => string[]): ClientRecord {
  const netmask = cell('netmask');
  return {
    hostname: checkName('host', cell('hostname')),
    domain: cell('domain') === '' ? null : normalizeDomain(cell('domain')),
    ip: formatIPv4(parseIPv4(cell('ip'))),
    netmask: netmaskFromPrefix(netmask === '' ? DEFAULT_PREFIX : parseNetmask(netmask)),
    gateway: cell('gateway') === '' ? null : formatIPv4(parseIPv4(cell('gateway'), 'gateway address')),
    dns: list('dns').map((s) => formatIPv4(parseIPv4(s, 'DNS server address'))),
    macs: list('macs').map(normalizeMac),
    image: checkName('image', cell('image')),
    groups: list('groups').map((g) => checkName('group', g)),
    overrides: list('overrides').map(checkOverrideName),
    bootMode: oneOf('boot_mode', cell('boot_mode') || 'install', BOOT_MODES),
    installState: oneOf('install_state', cell('install_state') || 'new', INSTALL_STATES),
    discover: oneOf('discover', cell('discover') || 'no', ['yes', 'no']) === 'yes',
  };
}

function oneOf<T extends string>(column: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UserError(`${column} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
}

import { UserError } from '../errors.js';
import { checkName } from '../names.js';
import type { ClientRecord } from './client-record.js';
import { normalizeDomain } from './client-record.js';
import {
  DEFAULT_PREFIX,
  allocateAddresses,
  checkGateway,
  describeSubnet,
  formatIPv4,
  parseIPv4,
  parseNetmask,
} from './ipv4.js';
import { normalizeMac } from './mac.js';

export type { BootMode, ClientRecord, InstallState } from './client-record.js';

/** `si addclients` after its host spec is expanded and its MAC CSV parsed. */
export interface AddClientsRequest {
  hosts: readonly string[];
  /** The first host's address; the others follow it. */
  ip: string;
  /** Prefix (`/24`, `24`) or dotted mask; /24 when absent. */
  netmask?: string | undefined;
  gateway?: string | null | undefined;
  domain?: string | null | undefined;
  dns?: readonly string[] | undefined;
  image: string;
  group?: string | null | undefined;
  /** hostname -> MACs, as parsed from the CSV. Hosts without MACs get none. */
  macs?: ReadonlyMap<string, readonly string[]> | undefined;
}

export interface ClientConflict {
  kind: 'host' | 'ip' | 'mac';
  /** The requested host that cannot be added. */
  host: string;
  /** Who already holds the name, address or MAC (another host, or the same one for a settings clash). */
  holder: string;
  message: string;
}

export interface AddClientsPlan {
  inserts: ClientRecord[];
  /** Existing records the request matches exactly: nothing to do. */
  unchanged: ClientRecord[];
  conflicts: ClientConflict[];
  /** Things the request carries that are not used, such as MACs for hosts outside the range. */
  warnings: string[];
}

/**
 * Plans `si addclients`: which records to insert, which already exist as asked, and what clashes with the
 * registry or within the request. Mistakes in the request itself (bad address, gateway outside the subnet,
 * a range past the subnet) throw UserError; clashes come back as conflicts, each naming both holders.
 */
export function planAddClients({
  request,
  existing,
}: {
  request: AddClientsRequest;
  existing: readonly ClientRecord[];
}): AddClientsPlan {
  const wanted = buildRecords(request);
  const byHost = new Map<string, ClientRecord>();
  const ipHolder = new Map<string, string>();
  const macHolder = new Map<string, string>();
  for (const record of existing) {
    byHost.set(record.hostname, record);
    ipHolder.set(record.ip, record.hostname);
    for (const mac of record.macs) macHolder.set(mac, record.hostname);
  }

  const plan: AddClientsPlan = { inserts: [], unchanged: [], conflicts: [], warnings: [] };
  const conflict = (kind: ClientConflict['kind'], host: string, holder: string, message: string) =>
    plan.conflicts.push({ kind, host, holder, message });
  const requestMacHolder = new Map<string, string>();
  const requestHosts = new Set<string>();

  for (const record of wanted) {
    const host = record.hostname;
    if (requestHosts.has(host)) {
      conflict('host', host, host, `${host} is named more than once in the request; list each host once`);
      continue;
    }
    requestHosts.add(host);
    for (const mac of record.macs) {
      const other = requestMacHolder.get(mac);
      if (other !== undefined && other !== host) {
        conflict('mac', host, other, `MAC ${mac} is given for both ${other} and ${host}; fix the MAC list`);
      }
      requestMacHolder.set(mac, host);
    }

    const current = byHost.get(host);
    if (current) {
      const diffs = describeDifferences(current, record, request);
      if (diffs.length === 0) plan.unchanged.push(current);
      else {
        conflict(
          'host',
          host,
          host,
          `${host} already exists with ${diffs.join(', ')}; change it with si client set or remove it first`,
        );
      }
    }
    const ipOwner = ipHolder.get(record.ip);
    if (ipOwner !== undefined && ipOwner !== host) {
      conflict('ip', host, ipOwner, `IP ${record.ip} for ${host} is already held by ${ipOwner}`);
    }
    for (const mac of record.macs) {
      const macOwner = macHolder.get(mac);
      if (macOwner !== undefined && macOwner !== host) {
        conflict('mac', host, macOwner, `MAC ${mac} for ${host} is already held by ${macOwner}`);
      }
    }
    if (!current) plan.inserts.push(record);
  }

  if (plan.conflicts.length > 0) {
    const blocked = new Set(plan.conflicts.map((c) => c.host));
    plan.inserts = plan.inserts.filter((r) => !blocked.has(r.hostname));
  }
  for (const host of request.macs?.keys() ?? []) {
    if (!requestHosts.has(host)) plan.warnings.push(`the MAC list names ${host}, which is not in the host range; ignored`);
  }
  return plan;
}

/** Validates the request and builds the record each host would get. */
function buildRecords(request: AddClientsRequest): ClientRecord[] {
  if (request.hosts.length === 0) throw new UserError('no hosts to add; give a host range such as node[001-100]');
  const prefix = request.netmask === undefined ? DEFAULT_PREFIX : parseNetmask(request.netmask);
  const first = parseIPv4(request.ip);
  const subnet = describeSubnet({ ip: first, prefix });
  const ips = allocateAddresses({ first: request.ip, count: request.hosts.length, netmask: String(prefix) });
  let gateway: string | null = null;
  if (request.gateway != null) {
    gateway = checkGateway({ gateway: request.gateway, subnet });
    const at = ips.indexOf(gateway);
    if (at !== -1) {
      throw new UserError(
        `the address run ${ips[0]}-${ips[ips.length - 1]} includes the gateway ${gateway} (for ${request.hosts[at]}); start the run after it`,
      );
    }
  }
  const domain = request.domain == null || request.domain === '' ? null : normalizeDomain(request.domain);
  const dns = (request.dns ?? []).map((server) => formatIPv4(parseIPv4(server, 'DNS server address')));
  const image = checkName('image', request.image);
  const groups = request.group == null ? [] : [checkName('group', request.group)];
  return request.hosts.map((hostname, i) => ({
    hostname: checkName('host', hostname),
    domain,
    ip: ips[i] as string,
    netmask: subnet.netmask,
    gateway,
    dns,
    macs: (request.macs?.get(hostname) ?? []).map(normalizeMac),
    image,
    groups,
    overrides: [],
    bootMode: 'install',
    installState: 'new',
  }));
}

/** The settings the request sets that the existing record has differently, as `field has (requested want)`. */
function describeDifferences(current: ClientRecord, wanted: ClientRecord, request: AddClientsRequest): string[] {
  const diffs: string[] = [];
  const compare = (field: string, has: string, want: string) => {
    if (has !== want) diffs.push(`${field} ${has || 'none'} (requested ${want || 'none'})`);
  };
  compare('IP', current.ip, wanted.ip);
  compare('netmask', current.netmask, wanted.netmask);
  compare('gateway', current.gateway ?? '', wanted.gateway ?? '');
  compare('domain', current.domain ?? '', wanted.domain ?? '');
  compare('DNS', current.dns.join(' '), wanted.dns.join(' '));
  compare('image', current.image, wanted.image);
  // A host may have joined more groups since; only a requested group has to be among them.
  const group = wanted.groups[0];
  if (group !== undefined && !current.groups.includes(group)) compare('group', current.groups.join(' '), group);
  // MACs learned later are kept; only MACs the request gives must match.
  if (request.macs?.has(wanted.hostname)) {
    compare('MACs', [...current.macs].sort().join(' '), [...wanted.macs].sort().join(' '));
  }
  return diffs;
}

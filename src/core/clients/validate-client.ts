import { UserError } from '../errors.js';
import { checkName, isValidName } from '../names.js';
import { BOOT_MODES, INSTALL_STATES, normalizeDomain, type ClientRecord } from './client-record.js';
import { checkGateway, describeSubnet, formatIPv4, formatSubnet, parseIPv4, parseNetmask } from './ipv4.js';
import { normalizeMac } from './mac.js';

/** What a record may refer to: the registry's images and groups. */
export interface KnownNames {
  images: ReadonlySet<string>;
  groups: ReadonlySet<string>;
}

/**
 * The one client-record validator: every path that writes a client (addclients, client set, client import)
 * goes through it, so a record the registry holds always renders. Returns the record normalised; throws a
 * one-line UserError that names the host.
 */
export function checkClient(record: ClientRecord, known: KnownNames): ClientRecord {
  const host = checkName('host', record.hostname);
  try {
    return normalizeClient(record, known);
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${host}: ${error.message}`, error.exitCode);
    throw error;
  }
}

function normalizeClient(record: ClientRecord, known: KnownNames): ClientRecord {
  const prefix = parseNetmask(record.netmask);
  const ip = parseIPv4(record.ip);
  const subnet = describeSubnet({ ip, prefix });
  if (ip === subnet.network || ip === subnet.broadcast) {
    const which = ip === subnet.network ? 'network' : 'broadcast';
    throw new UserError(`IP ${formatIPv4(ip)} is the ${which} address of ${formatSubnet(subnet)}; give a host address`);
  }
  const gateway = record.gateway === null ? null : checkGateway({ gateway: record.gateway, subnet });
  if (gateway === formatIPv4(ip)) throw new UserError(`the gateway ${gateway} is the host's own IP; give the router's address`);
  const macs = record.macs.map(normalizeMac);
  const discover = record.discover === true;
  if (discover && macs.length > 0) {
    throw new UserError(
      `has MAC ${macs.join(' ')}, and only a host without MACs waits for discovery: remove the MACs first (--macs '') or leave discovery off (--no-discover)`,
    );
  }
  const image = checkName('image', record.image);
  if (!known.images.has(image)) throw new UserError(`no image named ${image}: see 'si image list'`);
  for (const group of record.groups) {
    checkName('group', group);
    if (!known.groups.has(group)) throw new UserError(`no group named ${group}: create it with 'si group add ${group}' first`);
  }
  return {
    hostname: record.hostname,
    domain: record.domain === null || record.domain === '' ? null : normalizeDomain(record.domain),
    ip: formatIPv4(ip),
    netmask: subnet.netmask,
    gateway,
    dns: record.dns.map((server) => formatIPv4(parseIPv4(server, 'DNS server address'))),
    macs: once(macs, 'MAC'),
    image,
    groups: once(record.groups, 'group'),
    overrides: once(record.overrides.map(checkOverrideName), 'override'),
    bootMode: oneOf('boot mode', record.bootMode, BOOT_MODES),
    installState: oneOf('install state', record.installState, INSTALL_STATES),
    // Kept as given: the registry's records always carry it, a new record may leave it out (false).
    ...(record.discover === undefined ? {} : { discover }),
  };
}

/** An override tree's name: a folder under overrides/, so no path. */
export function checkOverrideName(name: string): string {
  if (isValidName(name)) return name;
  const shown = name === '' ? '(empty)' : JSON.stringify(name);
  throw new UserError(`invalid override name ${shown}: use the name of a folder under overrides/ (a-z, 0-9, '.', '_', '-')`);
}

function once(values: readonly string[], what: string): string[] {
  const repeated = values.find((v, i) => values.indexOf(v) !== i);
  if (repeated !== undefined) throw new UserError(`${what} ${repeated} is listed twice; list each ${what} once`);
  return [...values];
}

function oneOf<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UserError(`${what} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
}

/**
 * IPs and MACs are unique across the registry. Given the registry as it would be after a change, lists
 * each clash that involves a changed host, naming the holder.
 */
export function findHolderClashes(after: readonly ClientRecord[], changed: ReadonlySet<string>): string[] {
  const clashes: string[] = [];
  const ipHolder = new Map<string, string>();
  const macHolder = new Map<string, string>();
  // Unchanged hosts first: a changed host is the one that takes what another already holds.
  const ordered = [...after.filter((c) => !changed.has(c.hostname)), ...after.filter((c) => changed.has(c.hostname))];
  for (const client of ordered) {
    const ipOwner = ipHolder.get(client.ip);
    if (ipOwner !== undefined) clashes.push(`IP ${client.ip} for ${client.hostname} is already held by ${ipOwner}`);
    else ipHolder.set(client.ip, client.hostname);
    for (const mac of client.macs) {
      const macOwner = macHolder.get(mac);
      if (macOwner !== undefined) clashes.push(`MAC ${mac} for ${client.hostname} is already held by ${macOwner}`);
      else macHolder.set(mac, client.hostname);
    }
  }
  return clashes;
}

/** Refuses with the first problem and how many more there are. */
export function refuseAll(problems: readonly string[], outcome = 'nothing was changed'): void {
  if (problems.length === 0) return;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  throw new UserError(`${problems[0]}${more}; ${outcome}`);
}

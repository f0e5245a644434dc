import { UserError } from '../errors.js';

/** The prefix used when a request gives no netmask. */
export const DEFAULT_PREFIX = 24;

/**
 * The longest prefix a client network may have. /31 (RFC 3021) and /32 have no network and broadcast
 * addresses and no room for a server beside the clients, so a client range there is refused.
 */
export const MAX_CLIENT_PREFIX = 30;

const OCTET = /^(0|[1-9]\d{0,2})$/;

/** Parses a dotted quad into an unsigned 32-bit number. Leading zeros are refused: some tools read them as octal. */
export function parseIPv4(text: string, what = 'IP address'): number {
  const octets = text.trim().split('.');
  if (octets.length === 4 && octets.every((o) => OCTET.test(o) && Number(o) <= 255)) {
    return octets.reduce((acc, o) => acc * 256 + Number(o), 0);
  }
  throw new UserError(`${JSON.stringify(text)} is not a valid ${what}; write it as four numbers 0-255, e.g. 10.0.0.1`);
}

export function isIPv4(text: string): boolean {
  try {
    parseIPv4(text);
    return true;
  } catch {
    return false;
  }
}

export function formatIPv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** Accepts `24`, `/24` or `255.255.255.0`; returns the prefix length. Non-contiguous masks are refused. */
export function parseNetmask(text: string): number {
  const t = text.trim();
  const prefixText = t.startsWith('/') ? t.slice(1) : t;
  if (/^\d{1,2}$/.test(prefixText)) {
    const prefix = Number(prefixText);
    if (prefix <= 32) return prefix;
  } else if (t.includes('.')) {
    const mask = parseIPv4(t, 'netmask');
    const prefix = 32 - Math.log2(2 ** 32 - mask);
    if (Number.isInteger(prefix)) return prefix;
    throw new UserError(`netmask ${t} has a gap in its bits; use a contiguous mask such as 255.255.255.0 or /24`);
  }
  throw new UserError(`${JSON.stringify(text)} is not a netmask; use a prefix length (/24) or a dotted mask (255.255.255.0)`);
}

export function netmaskFromPrefix(prefix: number): string {
  return formatIPv4(maskBits(prefix));
}

function maskBits(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export interface Subnet {
  prefix: number;
  netmask: string;
  network: number;
  broadcast: number;
  /** Usable host addresses: network + 1 .. broadcast - 1. */
  firstUsable: number;
  lastUsable: number;
}

/** The subnet an address lies in. Refuses prefixes longer than MAX_CLIENT_PREFIX (see there). */
export function describeSubnet({ ip, prefix }: { ip: number; prefix: number }): Subnet {
  if (prefix > MAX_CLIENT_PREFIX) {
    throw new UserError(
      `netmask /${prefix} leaves no room for a client network (no network or broadcast address); use /${MAX_CLIENT_PREFIX} or shorter`,
    );
  }
  const mask = maskBits(prefix);
  const network = (ip & mask) >>> 0;
  const broadcast = (network | (~mask >>> 0)) >>> 0;
  return { prefix, netmask: netmaskFromPrefix(prefix), network, broadcast, firstUsable: network + 1, lastUsable: broadcast - 1 };
}

export function formatSubnet(subnet: Subnet): string {
  return `${formatIPv4(subnet.network)}/${subnet.prefix}`;
}

export function isInSubnet(ip: number, subnet: Subnet): boolean {
  return ip >= subnet.network && ip <= subnet.broadcast;
}

/** A gateway must be a host address of the clients' subnet. Returns it normalised. */
export function checkGateway({ gateway, subnet }: { gateway: string; subnet: Subnet }): string {
  const gw = parseIPv4(gateway, 'gateway address');
  if (gw <= subnet.network || gw >= subnet.broadcast) {
    throw new UserError(
      `gateway ${formatIPv4(gw)} is not a host address in ${formatSubnet(subnet)}; give a gateway inside the clients' subnet`,
    );
  }
  return formatIPv4(gw);
}

/**
 * `count` consecutive host addresses from `first`, inside the subnet `first` lies in. A first address equal
 * to the network address starts one above it; the broadcast address is never handed out. A run that would
 * go past the last usable address is refused with how many fit.
 */
export function allocateAddresses({ first, count, netmask }: { first: string; count: number; netmask: string }): string[] {
  const start = parseIPv4(first);
  const subnet = describeSubnet({ ip: start, prefix: parseNetmask(netmask) });
  const from = start === subnet.network ? subnet.firstUsable : start;
  if (from === subnet.broadcast) {
    throw new UserError(
      `${first} is the broadcast address of ${formatSubnet(subnet)}; start at a host address (last usable ${formatIPv4(subnet.lastUsable)})`,
    );
  }
  const fit = subnet.lastUsable - from + 1;
  if (count > fit) {
    throw new UserError(
      `${count} addresses from ${first} do not fit in ${formatSubnet(subnet)}: only ${fit} fit (last usable ${formatIPv4(subnet.lastUsable)}); start lower or use a wider netmask`,
    );
  }
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = formatIPv4(from + i);
  return out;
}

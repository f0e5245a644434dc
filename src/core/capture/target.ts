import { UserError } from '../errors.js';

/** A golden client address as given on the command line: a hostname, IPv4 or IPv6 literal. */
export function checkHostAddress(host: string): string {
  const hostname = /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/;
  const ipv6 = /^[0-9A-Fa-f:.]+$/;
  if (!hostname.test(host) && !(host.includes(':') && ipv6.test(host))) {
    throw new UserError(`invalid golden client ${JSON.stringify(host)}: give a hostname or an IP address`);
  }
  return host;
}

export function checkPort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new UserError(`invalid port ${JSON.stringify(text)}: give a number from 1 to 65535`);
  return port;
}

export function checkSshUser(user: string): string {
  if (!/^[a-z_][a-z0-9_.-]{0,31}$/.test(user)) throw new UserError(`invalid ssh user ${JSON.stringify(user)}: give a login name such as root`);
  return user;
}

/** rsync's remote source spec for the whole root: user@host:/ (IPv6 in brackets). */
export function rsyncRootSource(user: string, host: string): string {
  const address = host.includes(':') ? `[${host}]` : host;
  return `${user}@${address}:/`;
}

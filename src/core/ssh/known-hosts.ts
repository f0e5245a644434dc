import crypto from 'node:crypto';

/** OpenSSH known_hosts, so that sisuite's own ssh2 connections and the OpenSSH under rsync agree. */

export function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type is the first string inside the wire-format key blob. */
export function keyTypeOfBlob(blob: Buffer): string {
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

export function knownHostsLine(pattern: string, blob: Buffer): string {
  return `${pattern} ${keyTypeOfBlob(blob)} ${blob.toString('base64')}`;
}

export type HostKeyVerdict = { kind: 'known' } | { kind: 'unknown' } | { kind: 'changed'; line: number };

/** Checks a presented key against known_hosts text: same type and host with another key means changed. */
export function checkHostKey(knownHosts: string, pattern: string, blob: Buffer): HostKeyVerdict {
  const type = keyTypeOfBlob(blob);
  const key = blob.toString('base64');
  let changedAt = 0;
  for (const entry of entriesFor(knownHosts, pattern)) {
    if (entry.type === type && entry.key === key) return { kind: 'known' };
    if (entry.type === type) changedAt ||= entry.line;
  }
  return changedAt ? { kind: 'changed', line: changedAt } : { kind: 'unknown' };
}

/** Whether known_hosts holds any key for the host: OpenSSH can then check it strictly on its own. */
export function knowsHost(knownHosts: string, pattern: string): boolean {
  return entriesFor(knownHosts, pattern).length > 0;
}

/** The key lines that name the host (comments and @-markers left out), with their 1-based line numbers. */
function entriesFor(knownHosts: string, pattern: string): { type: string; key: string; line: number }[] {
  return knownHosts.split('\n').flatMap((text, index) => {
    const [hosts = '', type, key] = text.trim().split(/\s+/);
    if (!type || !key || hosts.startsWith('#') || hosts.startsWith('@') || !hostsMatch(hosts, pattern)) return [];
    return [{ type, key, line: index + 1 }];
  });
}

function hostsMatch(hosts: string, pattern: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt = '', hash = ''] = hosts.split('|');
    const digest = crypto.createHmac('sha1', Buffer.from(salt, 'base64')).update(pattern).digest('base64');
    return digest === hash;
  }
  return hosts.split(',').includes(pattern);
}

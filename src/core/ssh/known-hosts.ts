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
  const lines = knownHosts.split('\n');
  for (const [index, line] of lines.entries()) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 3 || fields[0]?.startsWith('#') || fields[0]?.startsWith('@')) continue;
    const [hosts = '', lineType, lineKey] = fields;
    if (!hostsMatch(hosts, pattern)) continue;
    if (lineType === type && lineKey === key) return { kind: 'known' };
    if (lineType === type) changedAt ||= index + 1;
  }
  return changedAt ? { kind: 'changed', line: changedAt } : { kind: 'unknown' };
}

function hostsMatch(hosts: string, pattern: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt = '', hash = ''] = hosts.split('|');
    const digest = crypto.createHmac('sha1', Buffer.from(salt, 'base64')).update(pattern).digest('base64');
    return digest === hash;
  }
  return hosts.split(',').includes(pattern);
}

/** Whether known_hosts holds any key for the host: OpenSSH can then check it strictly on its own. */
export function knowsHost(knownHosts: string, pattern: string): boolean {
  return knownHosts.split('\n').some((line) => {
    const [hosts = '', type, key] = line.trim().split(/\s+/);
    return Boolean(type && key) && !hosts.startsWith('#') && !hosts.startsWith('@') && hostsMatch(hosts, pattern);
  });
}

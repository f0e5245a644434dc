import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkHostKey, hostPattern, keyTypeOfBlob, knownHostsLine, knowsHost } from '../../../src/core/ssh/known-hosts.js';
import { quoteForRemoteShell } from '../../../src/core/shell-quote.js';

function blob(type: string, body: string): Buffer {
  const t = Buffer.from(type);
  const b = Buffer.from(body);
  const lengths = Buffer.alloc(8);
  lengths.writeUInt32BE(t.length, 0);
  lengths.writeUInt32BE(b.length, 4);
  return Buffer.concat([lengths.subarray(0, 4), t, lengths.subarray(4), b]);
}

describe('known_hosts', () => {
  const key = blob('ssh-ed25519', 'key-one');
  const other = blob('ssh-ed25519', 'key-two');

  it('writes OpenSSH lines, with [host]:port for ports other than 22', () => {
    expect(keyTypeOfBlob(key)).toBe('ssh-ed25519');
    expect(knownHostsLine(hostPattern('10.0.0.2', 22), key)).toBe(`10.0.0.2 ssh-ed25519 ${key.toString('base64')}`);
    expect(hostPattern('gc', 2222)).toBe('[gc]:2222');
  });

  it('knows a recorded key, calls a new host unknown and a different key of the same type changed', () => {
    const file = `# comment\nother ssh-ed25519 ${other.toString('base64')}\n${knownHostsLine('gc', key)}\n`;
    expect(checkHostKey(file, 'gc', key)).toEqual({ kind: 'known' });
    expect(checkHostKey(file, 'newhost', key)).toEqual({ kind: 'unknown' });
    expect(checkHostKey(file, 'gc', other)).toEqual({ kind: 'changed', line: 3 });
    expect(checkHostKey(file, '[gc]:2222', key)).toEqual({ kind: 'unknown' });
  });

  it('matches hashed host names', () => {
    const salt = crypto.randomBytes(20);
    const hash = crypto.createHmac('sha1', salt).update('gc').digest('base64');
    const file = `|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${key.toString('base64')}\n`;
    expect(checkHostKey(file, 'gc', key)).toEqual({ kind: 'known' });
    expect(checkHostKey(file, 'gc', other)).toEqual({ kind: 'changed', line: 1 });
  });
});

describe('knowsHost', () => {
  it('knows a host with any key recorded, by name, [name]:port or hash; comments and markers do not count', () => {
    const key = blob('ssh-ed25519', 'key-one').toString('base64');
    const salt = crypto.randomBytes(20);
    const hash = crypto.createHmac('sha1', salt).update('[hashed]:2222').digest('base64');
    const file = [
      `# gc ssh-ed25519 ${key}`,
      `@revoked revokedhost ssh-ed25519 ${key}`,
      `a,gc ssh-rsa ${key}`,
      `[gc]:2222 ssh-ed25519 ${key}`,
      `|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${key}`,
      'truncated',
    ].join('\n');
    expect(knowsHost(file, 'gc')).toBe(true);
    expect(knowsHost(file, '[gc]:2222')).toBe(true);
    expect(knowsHost(file, '[hashed]:2222')).toBe(true);
    expect(knowsHost(file, 'revokedhost')).toBe(false);
    expect(knowsHost(file, 'truncated')).toBe(false);
    expect(knowsHost(file, '[gc]:22')).toBe(false);
    expect(knowsHost('', 'gc')).toBe(false);
  });
});

describe('quoteForRemoteShell', () => {
  it('quotes every word so the remote shell interprets nothing', () => {
    expect(quoteForRemoteShell(['ls', '-d', '--', "/tmp/a b;id>/tmp/x'$(id)"])).toBe(`'ls' '-d' '--' '/tmp/a b;id>/tmp/x'\\''$(id)'`);
  });
});

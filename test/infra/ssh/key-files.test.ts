// Key files as ssh-keygen writes them: what each holds, and sisuite's own key made once.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyKeyText } from '../../../src/core/ssh/key-file.js';
import { checkGivenKey, ensureServerKey, keyFileKind } from '../../../src/infra/ssh/key-files.js';
import { run } from '../../../src/infra/run.js';

describe('ssh key files', () => {
  let dir: string;
  const keygen = (name: string, extra: string[]) => run(['ssh-keygen', '-q', '-C', 'test', '-f', join(dir, name), ...extra]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'si-keys-'));
    await Promise.all([
      keygen('ed', ['-t', 'ed25519', '-N', '']),
      keygen('ed_locked', ['-t', 'ed25519', '-N', 'secret']),
      keygen('rsa_pem', ['-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '']),
      keygen('rsa_pem_locked', ['-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', 'secret']),
      keygen('ec_pkcs8_locked', ['-t', 'ecdsa', '-m', 'PKCS8', '-N', 'secret']),
    ]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tells private, encrypted and public keys apart, in OpenSSH, PEM and PKCS8 form', () => {
    expect(keyFileKind(join(dir, 'ed'))).toBe('private');
    expect(keyFileKind(join(dir, 'ed_locked'))).toBe('encrypted');
    expect(keyFileKind(join(dir, 'rsa_pem'))).toBe('private');
    expect(keyFileKind(join(dir, 'rsa_pem_locked'))).toBe('encrypted');
    expect(keyFileKind(join(dir, 'ec_pkcs8_locked'))).toBe('encrypted');
    for (const pub of ['ed.pub', 'ed_locked.pub', 'rsa_pem.pub', 'ec_pkcs8_locked.pub']) expect(keyFileKind(join(dir, pub)), pub).toBe('public');
    expect(classifyKeyText('hello\n')).toBe('unknown');
  });

  it('refuses the wrong kind of --ssh-key in one line that says what to give', () => {
    const saved = process.env.SSH_AUTH_SOCK;
    delete process.env.SSH_AUTH_SOCK;
    try {
      expect(checkGivenKey(join(dir, 'ed'))).toBe('file');
      expect(() => checkGivenKey(join(dir, 'ed.pub'))).toThrow(`${join(dir, 'ed.pub')} is a public key, and --ssh-key takes a private key: give its private key: --ssh-key ${join(dir, 'ed')}`);
      expect(() => checkGivenKey(join(dir, 'ed_locked'))).toThrow(/is encrypted with a passphrase, and si cannot ask for one: load it into a running ssh-agent \(ssh-add /);
      expect(() => checkGivenKey(join(dir, 'nosuch'))).toThrow(/cannot read ssh key .*nosuch: no such file/);
      expect(() => checkGivenKey(dir)).toThrow(/cannot read ssh key .*: it is a directory/);
      writeFileSync(join(dir, 'text'), 'not a key\n');
      expect(() => checkGivenKey(join(dir, 'text'))).toThrow(/is not an ssh private key/);
      // With an agent running, an encrypted key is left to the agent that may hold it.
      process.env.SSH_AUTH_SOCK = join(dir, 'agent.sock');
      expect(checkGivenKey(join(dir, 'ed_locked'))).toBe('agent');
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
    }
  });

  it("makes sisuite's own key pair once, private to root, even when two ask at the same moment", async () => {
    const home = join(dir, 'home');
    mkdirSync(home);
    const key = join(home, 'ssh/id_ed25519');
    const [a, b] = await Promise.all([ensureServerKey(key), ensureServerKey(key)]);
    expect(a.publicKey).toBe(b.publicKey);
    expect(a.publicKey).toMatch(/^ssh-ed25519 AAAA\S+ sisuite@/);
    expect(readFileSync(`${key}.pub`, 'utf8').trim()).toBe(a.publicKey);
    expect(statSync(join(home, 'ssh')).mode & 0o777).toBe(0o700);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    const derived = await run(['ssh-keygen', '-y', '-f', key]);
    expect(a.publicKey.startsWith(derived.stdout.trim())).toBe(true);
    const again = await ensureServerKey(key);
    expect(again).toEqual({ publicKey: a.publicKey, created: false });
  });
});

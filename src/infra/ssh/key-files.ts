import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { classifyKeyText, privateKeyNameOf, type KeyFileKind } from '../../core/ssh/key-file.js';
import { capture } from '../run.js';

/** Enough for any key file; a mistaken path to a large file is not read whole. */
const KEY_READ_LIMIT = 64 * 1024;

/** What the file at a key path holds; a UserError when it cannot be read at all. */
export function keyFileKind(keyPath: string): KeyFileKind {
  let fd: number | undefined;
  try {
    fd = fs.openSync(keyPath, 'r');
    const buffer = Buffer.alloc(KEY_READ_LIMIT);
    const length = fs.readSync(fd, buffer, 0, KEY_READ_LIMIT, 0);
    return classifyKeyText(buffer.subarray(0, length).toString('utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new UserError(`cannot read ssh key ${keyPath}: ${why}; give a readable private key with --ssh-key`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Refuses a key given with --ssh-key that cannot log in without a prompt. An encrypted key is usable only
 * through a running ssh agent that holds it (returns 'agent' then).
 */
export function checkGivenKey(keyPath: string): 'file' | 'agent' {
  const kind = keyFileKind(keyPath);
  if (kind === 'private') return 'file';
  if (kind === 'public') {
    const candidate = privateKeyNameOf(keyPath);
    const fix = candidate && fs.existsSync(candidate) ? `give its private key: --ssh-key ${candidate}` : 'give the private key that belongs to it (the file without .pub)';
    throw new UserError(`${keyPath} is a public key, and --ssh-key takes a private key: ${fix}`);
  }
  if (kind === 'encrypted') {
    if (process.env.SSH_AUTH_SOCK) return 'agent';
    throw new UserError(
      `ssh key ${keyPath} is encrypted with a passphrase, and si cannot ask for one: load it into a running ssh-agent (ssh-add ${keyPath}), or give a key without a passphrase (si key show makes one)`,
    );
  }
  throw new UserError(`${keyPath} is not an ssh private key: give an OpenSSH or PEM private key with --ssh-key`);
}

/** Whether a default key (one nobody named) can be used as it is: readable, private, no passphrase. */
export function usableDefaultKey(keyPath: string): boolean {
  try {
    return fs.existsSync(keyPath) && keyFileKind(keyPath) === 'private';
  } catch {
    return false;
  }
}

/**
 * sisuite's own key pair ($SI_HOME/ssh/id_ed25519), made on first use with ssh-keygen. Made in a private
 * directory and linked into place, so two si starting at once keep one pair. Returns the public key line.
 */
export async function ensureServerKey(keyPath: string): Promise<{ publicKey: string; created: boolean }> {
  if (fs.existsSync(keyPath)) return { publicKey: await publicKeyOf(keyPath), created: false };
  const dir = path.dirname(keyPath);
  let scratch: string;
  try {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    scratch = fs.mkdtempSync(path.join(dir, '.keygen-'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const notDir = ['EEXIST', 'ENOTDIR'].includes(code) ? 'a part of the path is a file, not a directory' : code || (error as Error).message;
    throw new UserError(`cannot make sisuite's ssh key in ${dir}: ${notDir}; check that the home is a writable directory`);
  }
  try {
    const made = path.join(scratch, 'key');
    const comment = `sisuite@${os.hostname()}`;
    const result = await capture(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', made]);
    if (result.exitCode === null) throw new UserError('ssh-keygen is not installed: install openssh-client');
    if (result.exitCode !== 0) throw new UserError(`ssh-keygen could not make ${keyPath}: ${result.stderr.trim().split('\n').at(-1) ?? ''}`);
    try {
      // link() refuses to replace: of two si making the pair at once, the first one's key is the one.
      fs.linkSync(made, keyPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      await publicHalfOf(keyPath);
      return { publicKey: await publicKeyOf(keyPath), created: false };
    }
    fs.renameSync(`${made}.pub`, `${keyPath}.pub`);
    return { publicKey: await publicKeyOf(keyPath), created: true };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Waits (at most 5 s) for the other si that won the race to put the public half beside its key. */
async function publicHalfOf(keyPath: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!fs.existsSync(`${keyPath}.pub`) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 10));
}

/** The public key line of a private key: its .pub file, else derived with ssh-keygen -y. */
export async function publicKeyOf(keyPath: string): Promise<string> {
  try {
    const line = fs.readFileSync(`${keyPath}.pub`, 'utf8').trim();
    if (classifyKeyText(line) === 'public') return line;
  } catch {
    // No .pub beside it: derived below.
  }
  const result = await capture(['ssh-keygen', '-y', '-f', keyPath]);
  if (result.exitCode !== 0) throw new UserError(`cannot read the public key of ${keyPath}: ${result.stderr.trim().split('\n').at(-1) ?? 'ssh-keygen failed'}`);
  return result.stdout.trim();
}

/** The public key line next to a key, for an error message; null when there is none to read. */
export function publicKeyLineBeside(keyPath: string): string | null {
  try {
    const line = fs.readFileSync(`${keyPath}.pub`, 'utf8').trim();
    return classifyKeyText(line) === 'public' ? line : null;
  } catch {
    return null;
  }
}

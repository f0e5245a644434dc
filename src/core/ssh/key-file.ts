/**
 * What an ssh key file holds, read from its text alone: a usable private key, one locked by a passphrase
 * (si runs without a terminal and never asks for one), a public key given where the private key goes, or
 * something else. ssh2 and OpenSSH would each fail on the wrong kind in words of their own.
 */
export type KeyFileKind = 'private' | 'encrypted' | 'public' | 'unknown';

const PUBLIC_LINE = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)\s+AAAA/;

export function classifyKeyText(text: string): KeyFileKind {
  const trimmed = text.trimStart();
  // A public key line may carry options (from an authorized_keys file) before the type.
  const firstLine = trimmed.split('\n', 1)[0] ?? '';
  if (PUBLIC_LINE.test(firstLine) || /^---- BEGIN SSH2 PUBLIC KEY ----/.test(trimmed)) return 'public';
  if (/\s(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) AAAA/.test(firstLine) && !trimmed.startsWith('-----')) return 'public';
  if (trimmed.startsWith('-----BEGIN OPENSSH PRIVATE KEY-----')) return opensshKind(trimmed);
  if (trimmed.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----')) return 'encrypted';
  if (/^-----BEGIN (RSA |EC |DSA )?PRIVATE KEY-----/.test(trimmed)) return /^Proc-Type:\s*4,ENCRYPTED/m.test(trimmed) ? 'encrypted' : 'private';
  if (trimmed.startsWith('PuTTY-User-Key-File-')) return /^Encryption:\s*none\s*$/m.test(trimmed) ? 'private' : 'encrypted';
  return 'unknown';
}

/** openssh-key-v1: the magic, then the cipher name as an ssh string; "none" means no passphrase. */
function opensshKind(text: string): KeyFileKind {
  const body = text
    .replace(/-----(BEGIN|END) OPENSSH PRIVATE KEY-----/g, '')
    .replace(/\s+/g, '');
  const blob = Buffer.from(body, 'base64');
  const magic = 'openssh-key-v1\0';
  if (blob.length < magic.length + 4 || blob.subarray(0, magic.length).toString('latin1') !== magic) return 'unknown';
  const length = blob.readUInt32BE(magic.length);
  const cipher = blob.subarray(magic.length + 4, magic.length + 4 + length).toString('latin1');
  return cipher === 'none' ? 'private' : 'encrypted';
}

/** The private key that belongs to a public key file's name, when the name says it (KEY.pub -> KEY). */
export function privateKeyNameOf(publicKeyPath: string): string | null {
  return publicKeyPath.endsWith('.pub') && publicKeyPath.length > 4 ? publicKeyPath.slice(0, -4) : null;
}

/** Where a user's authorized keys live by default on the golden client. */
export function authorizedKeysPath(user: string): string {
  return user === 'root' ? '/root/.ssh/authorized_keys' : `~${user}/.ssh/authorized_keys`;
}

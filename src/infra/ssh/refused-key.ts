import { authorizedKeysPath } from '../../core/ssh/key-file.js';
import { publicKeyLineBeside } from './key-files.js';
import type { SshTarget } from './session.js';

/**
 * What to do when the golden client refused the login, by where the key came from: sisuite's own key is
 * shown whole (the line to paste), a key file by its .pub, the agent with the way to sisuite's own key.
 */
export function refusedKeyMessage(where: string, target: Pick<SshTarget, 'user' | 'keyPath' | 'keyOrigin'>): string {
  const file = authorizedKeysPath(target.user);
  if (target.keyOrigin === 'server' && target.keyPath) {
    // The key line last, where it is easy to copy whole.
    const line = publicKeyLineBeside(target.keyPath);
    const what = `${where} refused sisuite's key ${target.keyPath}`;
    if (!line) return `${what}: add the line \`si key show\` prints to ${file} on the golden client`;
    return `${what}: add this line (si key show prints it again) to ${file} on the golden client: ${line}`;
  }
  if (target.keyOrigin === 'agent' || !target.keyPath) {
    return `${where} refused the keys from the ssh agent: add the line \`si key show\` prints to ${file} on the golden client, or give --ssh-key`;
  }
  const pub = publicKeyLineBeside(target.keyPath) ? `${target.keyPath}.pub` : `its public key (ssh-keygen -y -f ${target.keyPath})`;
  return `${where} refused the key from ${target.keyPath}: add ${pub} to ${file} on the golden client, or give another --ssh-key`;
}

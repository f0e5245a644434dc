import type { Command } from 'commander';
import { homePaths } from '../../core/home.js';
import { authorizedKeysPath } from '../../core/ssh/key-file.js';
import { ensureServerKey } from '../../infra/ssh/key-files.js';
import { resolveHome } from '../context.js';
import { note, printJson, printLine } from '../output.js';

/** si key show: the public key line to put in a golden client's authorized_keys; the pair is made on first use. */
export async function keyShowCommand(options: { json?: boolean }, command: Command): Promise<void> {
  const { sshKey } = homePaths(resolveHome(command));
  const { publicKey, created } = await ensureServerKey(sshKey);
  const authorizedKeys = authorizedKeysPath('root');
  if (options.json) return printJson({ privateKey: sshKey, publicKeyFile: `${sshKey}.pub`, publicKey, created, authorizedKeys });
  // The key alone on stdout, so that `si key show | ssh root@gold 'cat >> .ssh/authorized_keys'` works.
  if (created) note(`made ${sshKey}`);
  printLine(publicKey);
  note(`put this line in ${authorizedKeys} on the golden client; si getimage logs in with ${sshKey}`);
}

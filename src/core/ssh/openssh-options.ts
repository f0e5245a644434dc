/** How OpenSSH (under rsync, or as a connection master) reaches a golden client. */
export interface SshTransport {
  port: number;
  keyPath?: string;
  knownHostsFile: string;
  connectTimeoutSeconds?: number;
  /** The socket of a running connection master: sessions go through it, without a handshake of their own. */
  controlPath?: string;
}

/**
 * The options after `ssh`: sisuite's own known_hosts and nothing else, strict host key checking (trust on
 * first use is sisuite's, see SshSession), no prompts.
 */
export function opensshOptions(ssh: SshTransport): string[] {
  return [
    '-p',
    String(ssh.port),
    ...(ssh.keyPath ? ['-i', ssh.keyPath, '-o', 'IdentitiesOnly=yes'] : []),
    '-o',
    `UserKnownHostsFile=${ssh.knownHostsFile}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${ssh.connectTimeoutSeconds ?? 10}`,
    // A client of a master never becomes one itself; if the master is gone it connects on its own.
    ...(ssh.controlPath ? ['-o', `ControlPath=${ssh.controlPath}`, '-o', 'ControlMaster=no'] : []),
  ];
}

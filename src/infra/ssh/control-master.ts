import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { opensshOptions, type SshTransport } from '../../core/ssh/openssh-options.js';
import { UserError } from '../../core/errors.js';
import { quoteForRemoteShell } from '../../core/shell-quote.js';
import type { SystemAccess } from '../probe/mounts.js';
import { captureEarly } from '../run.js';

/**
 * How long an idle master waits for its next session. Only a safety net: close() ends it at once; should si
 * be killed first (Ctrl-C reaches rsync too, not the master, which runs in a session of its own), the master
 * goes by itself this long after rsync. A session that finds it gone connects on its own.
 */
const PERSIST_SECONDS = 10;
/** Beyond ConnectTimeout (which covers the TCP connect only): the key exchange and login. */
const LOGIN_SECONDS = 20;

/** OpenSSH could not connect or log in; `stderr` says why, in its own words. */
export class MasterFailed extends Error {
  override readonly name = 'MasterFailed';
  constructor(readonly stderr: string) {
    super(stderr.trim().split('\n').at(-1) ?? 'ssh failed');
  }
}

/**
 * One OpenSSH connection to a host that later sessions share (ControlMaster): rsync and small reads start
 * without a key exchange and login of their own. The socket lives in a private directory of its own, since
 * whoever can reach it is logged in as the user.
 */
export class ControlMaster implements SystemAccess {
  private constructor(
    /** For sessions through this master: rsync's `-e` and exec(). */
    readonly transport: SshTransport,
    private readonly user: string,
    private readonly host: string,
    private readonly socketDir: string,
  ) {}

  /** Connects and logs in; resolves once the master listens. */
  static async open(target: { user: string; host: string }, transport: SshTransport): Promise<ControlMaster> {
    const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'si-ssh-'));
    const controlPath = path.join(socketDir, 'master');
    const argv = [
      'ssh',
      ...opensshOptions(transport),
      ...['-o', 'ControlMaster=yes', '-o', `ControlPath=${controlPath}`, '-o', `ControlPersist=${PERSIST_SECONDS}`],
      ...['-N', '-l', target.user, '--', target.host],
    ];
    // With ControlPersist, ssh puts the master in the background once logged in and exits 0: connected.
    const seconds = (transport.connectTimeoutSeconds ?? 10) + LOGIN_SECONDS;
    const result = await captureEarly(argv, { timeoutMs: seconds * 1000 });
    if (result.exitCode !== 0) {
      fs.rmSync(socketDir, { recursive: true, force: true });
      if (result.signal) throw new MasterFailed(`ssh did not log in within ${seconds} s`);
      if (result.exitCode === null) throw new UserError('ssh (OpenSSH) is not installed: install openssh-client');
      throw new MasterFailed(result.stderr);
    }
    return new ControlMaster({ ...transport, controlPath }, target.user, target.host, socketDir);
  }

  /** Runs argv on the host (quoted for its shell) through the master. */
  exec(argv: readonly string[]): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
    return captureEarly(['ssh', ...opensshOptions(this.transport), '-l', this.user, '--', this.host, quoteForRemoteShell(argv)]);
  }

  async readFile(file: string): Promise<string | null> {
    const result = await this.exec(['cat', '--', file]);
    return result.exitCode === 0 ? result.stdout : null;
  }

  private closing: Promise<void> | undefined;

  /** Ends the master and its sessions and removes the socket. Safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const controlPath = this.transport.controlPath ?? '';
      if (fs.existsSync(controlPath)) await captureEarly(['ssh', '-o', `ControlPath=${controlPath}`, '-O', 'exit', '-l', this.user, '--', this.host]);
      fs.rmSync(this.socketDir, { recursive: true, force: true });
    })();
    return this.closing;
  }
}

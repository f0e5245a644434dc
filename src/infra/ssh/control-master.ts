import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { opensshOptions, type SshTransport } from '../../core/ssh/openssh-options.js';
import { UserError } from '../../core/errors.js';
import { quoteForRemoteShell } from '../../core/shell-quote.js';
import type { SystemAccess } from '../probe/mounts.js';
import { captureEarly, startProcess, type ProcessHandle } from '../run.js';

/** Beyond ConnectTimeout (which covers the TCP connect only): the key exchange and login. */
const LOGIN_SECONDS = 20;
/** How often open() looks for the socket: the first session (the mount table) starts this soon after. */
const SOCKET_POLL_MS = 2;
/** close() after `ssh -O exit`: the master has this long before it is sent SIGTERM, then SIGKILL. */
const EXIT_GRACE_MS = 3000;

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
    private readonly process: ProcessHandle,
  ) {}

  /**
   * Connects and logs in; resolves once the master listens. The master runs in the foreground, a child of si
   * (no ControlPersist: that forks it into the background, out of reach of the runner's death signal), so
   * it ends with si however si ends. It creates its socket only after the login: the socket is the sign.
   */
  static async open(target: { user: string; host: string }, transport: SshTransport): Promise<ControlMaster> {
    const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'si-ssh-'));
    const controlPath = path.join(socketDir, 'master');
    const argv = [
      'ssh',
      ...opensshOptions(transport),
      ...['-o', 'ControlMaster=yes', '-o', `ControlPath=${controlPath}`, '-o', 'ControlPersist=no'],
      ...['-N', '-l', target.user, '--', target.host],
    ];
    const seconds = (transport.connectTimeoutSeconds ?? 10) + LOGIN_SECONDS;
    // A session of its own, as ControlPersist's fork had: the kernel's autogroup scheduling then gives the
    // master, which relays every byte of rsync's stream, a CPU share of its own beside si and rsync (sharing
    // theirs made captures ~5% slower on a busy machine). It still dies with si: that follows the parent.
    const master = startProcess(argv, { group: true });
    const readiness = await master.waitReady(() => fs.existsSync(controlPath), { timeoutMs: seconds * 1000, intervalMs: SOCKET_POLL_MS });
    if (readiness !== 'ready') {
      const exit = readiness === 'exited' ? await master.exited : await master.stop();
      fs.rmSync(socketDir, { recursive: true, force: true });
      if (!exit.started) throw new UserError('ssh (OpenSSH) is not installed: install openssh-client');
      if (readiness === 'timed-out') throw new MasterFailed(`ssh did not log in within ${seconds} s`);
      throw new MasterFailed(exit.stderrTail);
    }
    return new ControlMaster({ ...transport, controlPath }, target.user, target.host, socketDir, master);
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
      // `-O exit` lets the master end its sessions cleanly; SIGTERM, then SIGKILL, if it does not go.
      if (this.process.running() && fs.existsSync(controlPath)) {
        await captureEarly(['ssh', '-o', `ControlPath=${controlPath}`, '-O', 'exit', '-l', this.user, '--', this.host], { timeoutMs: EXIT_GRACE_MS });
      }
      await this.process.stop({ graceMs: EXIT_GRACE_MS });
      fs.rmSync(this.socketDir, { recursive: true, force: true });
    })();
    return this.closing;
  }
}

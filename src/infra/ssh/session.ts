import fs from 'node:fs';
import path from 'node:path';
import { Client, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { UserError } from '../../core/errors.js';
import { checkHostKey, hostPattern, knownHostsLine } from '../../core/ssh/known-hosts.js';
import { quoteForRemoteShell, shQuote } from '../../core/shell-quote.js';
import { refusedKeyMessage } from './refused-key.js';

/** Sessions (exec channels) open at once on one connection, below OpenSSH's default MaxSessions of 10. */
const MAX_CHANNELS = 4;
const OPEN_ATTEMPTS = 5;

/** Where the login key came from: it decides what a refusal tells the user to do. */
export type KeyOrigin = 'given' | 'server' | 'user' | 'agent';

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  /** The private key (OpenSSH's -i); absent when only the agent logs in. */
  keyPath?: string;
  keyOrigin: KeyOrigin;
  /** ssh2 logs in through the agent (SSH_AUTH_SOCK) instead of reading keyPath (an encrypted key the agent holds). */
  useAgent?: boolean;
  knownHostsFile: string;
  readyTimeoutMs?: number;
  /** ssh keepalives this often: a peer silent for 3 of them ends the connection (a long remote run on a dead host). */
  keepaliveMs?: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/** An ssh2 connection with trust-on-first-use host keys in sisuite's own known_hosts. */
export class SshSession {
  private constructor(
    private readonly client: Client,
    readonly target: SshTarget,
  ) {}

  static async connect(target: SshTarget): Promise<SshSession> {
    const client = new Client();
    const where = `${target.user}@${hostPattern(target.host, target.port)}`;
    let refusal: UserError | null = null;
    let newKeyLine: string | null = null;
    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.user,
      readyTimeout: target.readyTimeoutMs ?? 10_000,
      keepaliveInterval: target.keepaliveMs ?? 0,
      privateKey: target.keyPath && !target.useAgent ? readKey(target.keyPath) : undefined,
      agent: target.useAgent || !target.keyPath ? process.env.SSH_AUTH_SOCK : undefined,
      hostVerifier: (blob: Buffer) => {
        const pattern = hostPattern(target.host, target.port);
        const known = fs.existsSync(target.knownHostsFile) ? fs.readFileSync(target.knownHostsFile, 'utf8') : '';
        const verdict = checkHostKey(known, pattern, blob);
        if (verdict.kind === 'changed') {
          refusal = new UserError(
            `host key of ${pattern} has changed (${target.knownHostsFile} line ${verdict.line}): if the golden client was reinstalled, delete that line and run again`,
          );
          return false;
        }
        if (verdict.kind === 'unknown') newKeyLine = knownHostsLine(pattern, blob);
        return true;
      },
    };
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', (error: Error & { level?: string; code?: string }) => {
        if (refusal) return reject(refusal);
        reject(describeConnectError(error, where, target));
      });
      try {
        client.connect(config);
      } catch (error) {
        // ssh2 parses the key here and throws on one it cannot use.
        reject(new UserError(`cannot use ssh key ${target.keyPath ?? ''}: ${(error as Error).message}; give an unencrypted private key with --ssh-key`));
      }
    });
    // Trust on first use: recorded only once the server proved it holds the key and we logged in.
    if (newKeyLine) {
      fs.mkdirSync(path.dirname(target.knownHostsFile), { recursive: true });
      fs.appendFileSync(target.knownHostsFile, `${newKeyLine}\n`, { mode: 0o644 });
    }
    return new SshSession(client, target);
  }

  /** Runs argv on the remote host (quoted for its shell) and collects the output. */
  exec(argv: readonly string[], input?: string): Promise<ExecResult> {
    return this.execLine(quoteForRemoteShell(argv), input);
  }

  private active = 0;
  private readonly waiting: (() => void)[] = [];

  /**
   * At most MAX_CHANNELS sessions at once: sshd allows 10 a connection (MaxSessions) and frees a slot only a
   * moment after a session closed, so a refused open is tried again, a few times, a little later.
   */
  private async execLine(line: string, input?: string): Promise<ExecResult> {
    if (this.active >= MAX_CHANNELS) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active += 1;
    try {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await this.runChannel(line, input);
        } catch (error) {
          const refused = /channel open failure/i.test((error as Error).message);
          if (!refused || attempt >= OPEN_ATTEMPTS) throw this.channelError(error as Error);
          await new Promise((done) => setTimeout(done, 50 * attempt));
        }
      }
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }

  private runChannel(line: string, input?: string): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      this.client.exec(line, (error, stream) => {
        if (error) return reject(error);
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let exitCode: number | null = null;
        stream.on('data', (d: Buffer) => out.push(d));
        stream.stderr.on('data', (d: Buffer) => err.push(d));
        stream.on('exit', (code: number | null) => (exitCode = code));
        stream.on('close', () => resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode }));
        stream.end(input);
      });
    });
  }

  private channelError(error: Error): UserError {
    const where = `${this.target.user}@${hostPattern(this.target.host, this.target.port)}`;
    return new UserError(`ssh to ${where} cannot run a command: ${error.message}; check that sshd there allows sessions (MaxSessions) and still runs`, 1);
  }

  private sftpChannel: Promise<SFTPWrapper | null> | undefined;

  /**
   * SFTP when the server offers it (one channel for every read: 8 reads took 17 ms there against 146 ms as 8
   * execs), else null: hardened servers often have no `Subsystem sftp`, and then reads go over exec.
   */
  private sftp(): Promise<SFTPWrapper | null> {
    this.sftpChannel ??= new Promise((resolve) => this.client.sftp((error, sftp) => resolve(error ? null : sftp)));
    return this.sftpChannel;
  }

  async readFile(file: string): Promise<string | null> {
    const sftp = await this.sftp();
    if (sftp) return new Promise((resolve) => sftp.readFile(file, (error, data) => resolve(error ? null : data.toString('utf8'))));
    const result = await this.exec(['cat', '--', file]);
    return result.exitCode === 0 ? result.stdout : null;
  }

  // Writes and mtimes go over exec always: one round trip each, with or without SFTP.

  /** Modification times in seconds (null for a path that does not exist), in one round trip. */
  async mtimes(files: readonly string[]): Promise<(number | null)[]> {
    // One line per path; a missing path prints nothing but a complaint on stderr, so each gets its own stat.
    const line = files.map((f) => `${quoteForRemoteShell(['stat', '-c', '%Y', '--', f])} 2>/dev/null || echo -`).join('; ');
    const result = await this.execLine(line);
    const values = result.stdout.split('\n').filter(Boolean);
    return files.map((_, index) => {
      const value = Number(values[index]);
      return Number.isInteger(value) && values[index] !== '-' ? value : null;
    });
  }

  /** Writes through a temporary name and renames, so a reader never sees half a file; the parent is made. */
  async writeFile(file: string, content: string): Promise<void> {
    const temporary = `${file}.si-new`;
    const line = [
      'umask 022',
      quoteForRemoteShell(['mkdir', '-p', '--', path.posix.dirname(file)]),
      `${quoteForRemoteShell(['cat'])} > ${shQuote(temporary)}`,
      quoteForRemoteShell(['mv', '-f', '--', temporary, file]),
    ].join(' && ');
    const result = await this.execLine(line, content);
    if (result.exitCode === 0) return;
    await this.exec(['rm', '-f', '--', temporary]).catch(() => undefined);
    const where = `${this.target.user}@${hostPattern(this.target.host, this.target.port)}`;
    const reason = result.stderr.trim().split('\n').at(-1) || `exit ${result.exitCode}`;
    throw new UserError(`cannot write ${file} on ${where}: ${reason}`, 1);
  }

  close(): void {
    this.client.end();
  }
}

function readKey(keyPath: string): Buffer {
  try {
    return fs.readFileSync(keyPath);
  } catch {
    throw new UserError(`cannot read ssh key ${keyPath}: give a readable private key with --ssh-key`);
  }
}

function describeConnectError(error: Error & { level?: string; code?: string }, where: string, target: SshTarget): UserError {
  if (error.level === 'client-authentication') return new UserError(refusedKeyMessage(where, target));
  if (error.level === 'client-timeout' || /timed out/i.test(error.message)) {
    return new UserError(`cannot reach ${where}: no answer within ${(target.readyTimeoutMs ?? 10_000) / 1000} s; check the address, --ssh-port and that sshd runs there`);
  }
  const code = error.code ? ` (${error.code})` : '';
  return new UserError(`cannot reach ${where}: ${error.message}${code}; check the address, --ssh-port and that sshd runs there`);
}

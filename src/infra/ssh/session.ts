import fs from 'node:fs';
import path from 'node:path';
import { Client, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { UserError } from '../../core/errors.js';
import { checkHostKey, hostPattern, knownHostsLine } from '../../core/ssh/known-hosts.js';
import { quoteForRemoteShell } from '../../core/shell-quote.js';

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  keyPath?: string;
  knownHostsFile: string;
  readyTimeoutMs?: number;
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
      privateKey: target.keyPath ? readKey(target.keyPath) : undefined,
      agent: target.keyPath ? undefined : process.env.SSH_AUTH_SOCK,
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
      client.connect(config);
    });
    // Trust on first use: recorded only once the server proved it holds the key and we logged in.
    if (newKeyLine) {
      fs.mkdirSync(path.dirname(target.knownHostsFile), { recursive: true });
      fs.appendFileSync(target.knownHostsFile, `${newKeyLine}\n`, { mode: 0o644 });
    }
    return new SshSession(client, target);
  }

  /** Runs argv on the remote host (quoted for its shell) and collects the output. */
  exec(argv: readonly string[]): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      this.client.exec(quoteForRemoteShell(argv), (error, stream) => {
        if (error) return reject(error);
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let exitCode: number | null = null;
        stream.on('data', (d: Buffer) => out.push(d));
        stream.stderr.on('data', (d: Buffer) => err.push(d));
        stream.on('exit', (code: number | null) => (exitCode = code));
        stream.on('close', () => resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode }));
      });
    });
  }

  private sftpChannel: Promise<SFTPWrapper> | undefined;

  /** One SFTP channel for the whole session: requests on it run concurrently without more channels. */
  private sftp(): Promise<SFTPWrapper> {
    this.sftpChannel ??= new Promise((resolve, reject) => this.client.sftp((error, sftp) => (error ? reject(error) : resolve(sftp))));
    return this.sftpChannel;
  }

  async readFile(file: string): Promise<string | null> {
    const sftp = await this.sftp();
    return new Promise<string | null>((resolve) => sftp.readFile(file, (error, data) => resolve(error ? null : data.toString('utf8'))));
  }

  /** Modification time in seconds, or null when the file does not exist. */
  async mtime(file: string): Promise<number | null> {
    const sftp = await this.sftp();
    return new Promise((resolve) => sftp.stat(file, (error, stats) => resolve(error ? null : stats.mtime)));
  }

  /** Writes through a temporary name and renames, so a reader never sees half a file. */
  async writeFile(file: string, content: string): Promise<void> {
    const sftp = await this.sftp();
    const temporary = `${file}.si-new`;
    // mkdir fails harmlessly when the directory exists; the write below reports real problems.
    await new Promise<void>((resolve) => sftp.mkdir(path.posix.dirname(file), () => resolve()));
    await new Promise<void>((resolve, reject) => sftp.writeFile(temporary, content, (e) => (e ? reject(e) : resolve())));
    await new Promise<void>((resolve, reject) => sftp.ext_openssh_rename(temporary, file, (e) => (e ? reject(e) : resolve())));
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
  if (error.level === 'client-authentication') {
    const key = target.keyPath ?? 'the ssh agent';
    return new UserError(`${where} refused the key from ${key}: add its public key to ${target.user}'s authorized_keys there, or give --ssh-key`);
  }
  if (error.level === 'client-timeout' || /timed out/i.test(error.message)) {
    return new UserError(`cannot reach ${where}: no answer within ${(target.readyTimeoutMs ?? 10_000) / 1000} s; check the address, --ssh-port and that sshd runs there`);
  }
  const code = error.code ? ` (${error.code})` : '';
  return new UserError(`cannot reach ${where}: ${error.message}${code}; check the address, --ssh-port and that sshd runs there`);
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HomePaths } from '../../core/home.js';
import { UserError } from '../../core/errors.js';
import { hostPattern, knowsHost } from '../../core/ssh/known-hosts.js';
import type { SshTransport } from '../../core/ssh/openssh-options.js';
import { collectMounts, type MountTable } from '../probe/mounts.js';
import { ControlMaster, MasterFailed } from '../ssh/control-master.js';
import { checkGivenKey, ensureServerKey, usableDefaultKey } from '../ssh/key-files.js';
import type { SshSession, SshTarget } from '../ssh/session.js';

/** A golden client, connected: its mount table read, rsync and more sessions ready to start through `master`. */
export interface GoldenLink {
  master: ControlMaster;
  mounts: MountTable;
  /** The ssh2 session for the layout probe (settles on its own: it may still be logging in). */
  session: Promise<SshSession>;
}

/** A connection to a golden client on its way up. */
export interface GoldenConnection {
  target: SshTarget;
  /** When connecting began: a capture's time counts from here. */
  started: bigint;
  ready: Promise<GoldenLink>;
  /** Closes whatever `ready` brings (or brought), used or not. Safe to call more than once. */
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_SECONDS = 10;

/**
 * Starts the connection a capture needs before its copy: an OpenSSH master (one key exchange and login, which
 * rsync then shares), then the mount table through it, which decides the excludes; beside it the ssh2 session
 * that reads the rest of the layout. Light on purpose (no ssh2, no zod until needed): si getimage
 * calls it first and loads the rest while ssh logs in. The caller ends it with close(); if connecting
 * fails, nothing is left open.
 */
export function connectGolden(paths: HomePaths, request: { host: string; port: number; user: string; keyPath?: string }): GoldenConnection {
  const identity = chooseIdentity(paths, request.keyPath);
  const target: SshTarget = {
    host: request.host,
    port: request.port,
    user: request.user,
    ...identity,
    knownHostsFile: paths.knownHosts,
    readyTimeoutMs: CONNECT_TIMEOUT_SECONDS * 1000,
  };
  const started = process.hrtime.bigint();
  // First contact: with no key and no agent, sisuite makes its own key, which the refusal then shows.
  const ready = identity.keyOrigin === 'server' && !fs.existsSync(paths.sshKey) ? ensureServerKey(paths.sshKey).then(() => link(target)) : link(target);
  // Awaited by the capture; until then a failure must not count as an unhandled rejection.
  ready.catch(() => undefined);
  const close = () => ready.then((l) => closeLink(l), () => undefined);
  return { target, started, ready, close };
}

/** The ssh2 session sisuite uses beside OpenSSH: trust on first use, the layout probe. */
async function openSession(target: SshTarget): Promise<SshSession> {
  const { SshSession } = await import('../ssh/session.js');
  return SshSession.connect(target);
}

async function closeLink(link: GoldenLink): Promise<void> {
  await Promise.all([link.master.close(), closeSession(link.session)]);
}

function closeSession(session: Promise<SshSession>): Promise<void> {
  return session.then((s) => s.close(), () => undefined);
}

async function link(target: SshTarget): Promise<GoldenLink> {
  // Trust on first use is sisuite's own (SshSession records a key only after logging in): a host not yet in
  // known_hosts is met over ssh2 first, and OpenSSH then checks its key strictly. A known host is met by
  // both at once: ssh2's login is then over before the copy starts, instead of taking CPU from it.
  const known = knowsHost(readKnownHosts(target.knownHostsFile), hostPattern(target.host, target.port));
  const session = known ? openSession(target) : Promise.resolve(await openSession(target));
  session.catch(() => undefined);
  let master: ControlMaster;
  try {
    master = await ControlMaster.open(target, transport(target));
  } catch (error) {
    if (error instanceof MasterFailed) throw await explain(target, session, error);
    await closeSession(session);
    throw error;
  }
  try {
    return { master, session, mounts: await collectMounts(master) };
  } catch (error) {
    await Promise.all([master.close(), closeSession(session)]);
    throw error;
  }
}

/**
 * OpenSSH tells why it failed in prose on stderr; ssh2, which tried at the same time, tells it in codes that
 * give the user a precise line (a changed host key with its known_hosts line, a refused key, no answer).
 */
async function explain(target: SshTarget, session: Promise<SshSession>, failure: MasterFailed): Promise<Error> {
  try {
    (await session).close();
  } catch (error) {
    return error as Error;
  }
  const where = `${target.user}@${hostPattern(target.host, target.port)}`;
  return new UserError(`ssh to ${where} failed: ${failure.message}; check sshd there and ${target.knownHostsFile}`);
}

function transport(target: SshTarget): SshTransport {
  return { port: target.port, keyPath: target.keyPath, knownHostsFile: target.knownHostsFile, connectTimeoutSeconds: CONNECT_TIMEOUT_SECONDS };
}

function readKnownHosts(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

type Identity = Pick<SshTarget, 'keyPath' | 'keyOrigin' | 'useAgent'>;

/**
 * The login key: --ssh-key (checked: a public key or one with a passphrase is refused in one line); else
 * sisuite's own key, then the user's usual ones that need no passphrase; else the agent; else sisuite's own
 * key, made on first use.
 */
function chooseIdentity(paths: HomePaths, given: string | undefined): Identity {
  if (given) return { keyPath: given, keyOrigin: 'given', useAgent: checkGivenKey(given) === 'agent' };
  if (fs.existsSync(paths.sshKey)) return { keyPath: paths.sshKey, keyOrigin: 'server' };
  const dotSsh = path.join(os.homedir(), '.ssh');
  const usual = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => path.join(dotSsh, f)).find(usableDefaultKey);
  if (usual) return { keyPath: usual, keyOrigin: 'user' };
  if (process.env.SSH_AUTH_SOCK) return { keyOrigin: 'agent' };
  return { keyPath: paths.sshKey, keyOrigin: 'server' };
}


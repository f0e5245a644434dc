import fs from 'node:fs';
import type { HomePaths } from '../../core/home.js';
import { collectMounts, type MountTable } from '../probe/mounts.js';
import { defaultKeyCandidates, SshSession, type SshTarget } from '../ssh/session.js';

/** A connection to a golden client on its way up, with the mount table read as soon as it is. */
export interface GoldenConnection {
  target: SshTarget;
  /** When connecting began: a capture's time counts from here. */
  started: bigint;
  /** Settles when the key exchange is done (or connecting failed): the client waits for the server then. */
  handshake: Promise<void>;
  ready: Promise<{ session: SshSession; mounts: MountTable }>;
}

/**
 * Starts the ssh2 connection and the mount-table read, which a capture needs before its copy can start.
 * Light on purpose (no execa, no zod): si getimage calls it first and loads the capture code while the
 * handshake is under way. Whoever receives `ready` closes the session; if it fails, nothing is left open.
 */
export function connectGolden(paths: HomePaths, request: { host: string; port: number; user: string; keyPath?: string }): GoldenConnection {
  const keyPath = request.keyPath ?? defaultKeyCandidates(paths.sshKey).find((k) => fs.existsSync(k));
  const target: SshTarget = { host: request.host, port: request.port, user: request.user, keyPath, knownHostsFile: paths.knownHosts };
  const started = process.hrtime.bigint();
  let handshakeDone = () => {};
  const handshake = new Promise<void>((resolve) => (handshakeDone = resolve));
  const ready = (async () => {
    const session = await SshSession.connect(target, handshakeDone);
    try {
      return { session, mounts: await collectMounts(session) };
    } catch (error) {
      session.close();
      throw error;
    }
  })();
  // Awaited by the capture; until then a failure must not count as an unhandled rejection.
  ready.catch(() => undefined).finally(handshakeDone);
  return { target, started, handshake, ready };
}

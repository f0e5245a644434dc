import fs from 'node:fs';
import type { ClientRecord } from '../../core/clients/client-record.js';
import { driftFromItemized, type HostDrift } from '../../core/drift/drift-report.js';
import { versionDir, type HomePaths } from '../../core/home.js';
import { parseAssignments } from '../../core/pushupdate/image-check.js';
import { buildRsyncArgv } from '../../core/rsync/argv.js';
import { CLIENT_STATE, parseExcludeFile, updateExcludes } from '../../core/updates/excludes.js';
import { clientTarget } from '../pushupdate/push-host.js';
import { capture } from '../run.js';
import type { SshSession } from '../ssh/session.js';

/** rsync's own codes for "some files could not be compared" (vanished, unreadable): the rest of the list holds. */
const PARTIAL = new Set([23, 24]);

/**
 * One client's drift: over ssh2 it reads which image version the client carries and the client's own excludes
 * (updateclient.exclude, updateclient.local.exclude); then, from the server, rsync compares that version's tree
 * with the client by content (--checksum) in a dry run over OpenSSH: nothing is written on either side.
 */
export async function driftOfHost(paths: HomePaths, client: ClientRecord, timeoutSeconds: number): Promise<HostDrift> {
  const none = { added: [], changed: [], removed: [] };
  const result = (fields: Partial<HostDrift>): HostDrift => ({ host: client.hostname, image: null, version: null, ...none, error: '', ...fields });
  let session: SshSession;
  const target = clientTarget(paths, client, timeoutSeconds);
  try {
    const { SshSession } = await import('../ssh/session.js');
    session = await SshSession.connect(target);
  } catch (error) {
    return result({ error: (error as Error).message });
  }
  let recorded: Record<string, string>;
  let excludes: string[];
  try {
    const [version, host, local] = await Promise.all([CLIENT_STATE.version, CLIENT_STATE.hostExcludes, CLIENT_STATE.localExcludes].map((f) => session.readFile(f)));
    recorded = parseAssignments(version ?? null);
    excludes = updateExcludes({ host: parseExcludeFile(host ?? ''), local: parseExcludeFile(local ?? '') });
  } catch (error) {
    return result({ error: (error as Error).message });
  } finally {
    session.close();
  }
  const image = recorded.SI_IMAGE || null;
  const version = recorded.SI_IMAGE_VERSION || null;
  if (!image || !version || !/^\d+$/.test(version)) {
    return result({ image, version, error: `${CLIENT_STATE.version} names no image version (${image ?? 'no image'}, ${version ?? 'no version'}): update the client once with si pushupdate` });
  }
  const tree = versionDir(paths, image, Number(version));
  if (!fs.existsSync(tree)) return result({ image, version, error: `image ${image} version ${version} is no longer on this server (si image list): update the client with si pushupdate` });
  const argv = buildRsyncArgv({
    source: `${tree}/`,
    destination: `${target.user}@${target.host}:/`,
    preserveAll: true,
    delete: true,
    keepExcluded: true,
    checksum: true,
    dryRun: true,
    outFormat: '%i %n',
    excludes,
    ssh: { port: target.port, keyPath: target.keyPath, knownHostsFile: target.knownHostsFile, connectTimeoutSeconds: timeoutSeconds },
  });
  const run = await capture(argv, { timeout: 3_600_000 });
  if (run.exitCode !== 0 && !PARTIAL.has(run.exitCode ?? -1)) {
    const tail = run.stderr.trim().split('\n').at(-1) ?? '';
    return result({ image, version, error: `rsync's comparison failed (code ${run.exitCode ?? 'none'}): ${tail}` });
  }
  return result({ image, version, ...driftFromItemized(run.stdout) });
}

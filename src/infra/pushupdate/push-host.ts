import type { ClientRecord } from '../../core/clients/client-record.js';
import type { HomePaths } from '../../core/home.js';
import { carriedImage, confWithImage, decideImage } from '../../core/pushupdate/image-check.js';
import { CLIENT_STATE } from '../../core/updates/excludes.js';
import type { SshSession, SshTarget } from '../ssh/session.js';
import { outcomeOfRun, type HostOutcome } from './outcome.js';

export interface PushOptions {
  image?: string;
  dryRun: boolean;
  reboot: boolean;
  bootloader: boolean;
  timeoutSeconds: number;
}

/** How sisuite logs in to its installed clients: root, with the server's own key, its known_hosts (trust on first use). */
export function clientTarget(paths: HomePaths, client: ClientRecord, timeoutSeconds: number): SshTarget {
  return {
    host: client.ip,
    port: 22,
    user: 'root',
    keyPath: paths.sshKey,
    keyOrigin: 'server',
    knownHostsFile: paths.knownHosts,
    readyTimeoutMs: timeoutSeconds * 1000,
    // An update may run long and quietly; a host that dies meanwhile is noticed within about a minute.
    keepaliveMs: 15_000,
  };
}

/** The argv run on the client: the installed script, with the run's options. */
export function updateArgv(options: Pick<PushOptions, 'dryRun' | 'reboot' | 'bootloader'>, conf?: string): string[] {
  return [
    CLIENT_STATE.script,
    ...(options.dryRun ? ['--dry-run'] : []),
    ...(options.bootloader ? [] : ['--no-bootloader']),
    ...(options.reboot && !options.dryRun ? ['--reboot'] : []),
    ...(conf ? ['--conf', conf] : []),
  ];
}

/** One client: log in, check which image it carries, run si-updateclient, read its result. Never throws. */
export async function pushHost(paths: HomePaths, client: ClientRecord, options: PushOptions): Promise<HostOutcome> {
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  const failed = (reason: string, image: string | null = null, version: string | null = null): HostOutcome => ({
    host: client.hostname,
    result: 'failed',
    image,
    version,
    files: null,
    bytesReceived: null,
    reason,
    seconds: seconds(),
    stages: null,
  });
  let session: SshSession;
  try {
    const { SshSession } = await import('../ssh/session.js');
    session = await SshSession.connect(clientTarget(paths, client, options.timeoutSeconds));
  } catch (error) {
    return failed((error as Error).message);
  }
  try {
    const [versionFile, conf] = await Promise.all([session.readFile(CLIENT_STATE.version), session.readFile(CLIENT_STATE.conf)]);
    const carried = carriedImage(versionFile, conf);
    const decision = decideImage({ host: client.hostname, registryImage: client.image, carried: carried.image, requested: options.image });
    if (decision.refusal) return failed(decision.refusal, carried.image, carried.version);
    let confPath: string | undefined;
    if (decision.switchConf && conf !== null) {
      // A move to another image: the client's own conf names it from now on (a dry run only borrows a copy).
      confPath = options.dryRun ? `/tmp/si-pushupdate-${client.hostname}.conf` : undefined;
      await session.writeFile(confPath ?? CLIENT_STATE.conf, confWithImage(conf, decision.image));
    }
    const run = await session.exec(updateArgv(options, confPath));
    if (confPath) await session.exec(['rm', '-f', '--', confPath]).catch(() => undefined);
    return outcomeOfRun(client.hostname, { ...run, seconds: seconds(), rebooting: options.reboot && !options.dryRun }, { image: decision.image, version: carried.version });
  } catch (error) {
    return failed((error as Error).message);
  } finally {
    session.close();
  }
}


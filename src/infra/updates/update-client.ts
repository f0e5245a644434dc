import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { imageVersionText, markerLine, parseUpdateConf, STAGES_RUNNER, versionFromListing, type UpdateConf } from '../../core/updates/client-conf.js';
import { BOOTLOADER_STAGE, CLIENT_STATE, parseExcludeFile, UPDATE_STAGES, updateExcludes } from '../../core/updates/excludes.js';
import { sourceOf, updateRsyncArgv } from '../../core/updates/update-plan.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { capture, run } from '../run.js';

export interface UpdateClientOptions {
  /** The tree to update ('/' on the host itself). */
  root: string;
  conf?: string;
  dryRun?: boolean;
  bootloader?: boolean;
  configure?: boolean;
  reboot?: boolean;
  /** Progress lines (what si-updateclient says on stdout). */
  say: (line: string) => void;
}

export interface UpdateClientResult {
  image: string;
  version: string;
  /** The previous update had not finished: this one did. */
  finishedPrevious: string | null;
  /** With dryRun: rsync's itemized changes. */
  changes: string[];
}

/** `si updateclient`: what si-updateclient does, from the same core (excludes, argv, conf, marker); exit codes as its. */
export async function updateClient(options: UpdateClientOptions): Promise<UpdateClientResult> {
  if (!fs.existsSync(options.root) || !fs.statSync(options.root).isDirectory()) throw new UserError(`no directory ${options.root}: give the root to update with --root DIR`);
  const root = fs.realpathSync(options.root).replace(/\/$/, '');
  const at = (file: string) => `${root}${file}`;
  const confPath = options.conf ?? at(CLIENT_STATE.conf);
  const confText = readOrNull(confPath);
  if (confText === null) throw new UserError(`no configuration ${confPath}: this host was not installed by sisuite, or write it as docs/updates.md shows`);
  const conf = parseUpdateConf(confText, confPath);
  const { image } = conf.source;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'si-updateclient-'));
  try {
    let version = await currentVersion(conf);
    const previous = readOrNull(at(CLIENT_STATE.marker))?.trim() ?? null;
    if (previous !== null) options.say(`the previous update did not finish (${previous}): this run finishes it`);
    const excludeFile = path.join(tmp, 'exclude');
    const listed = (file: string) => parseExcludeFile(readOrNull(at(file)) ?? '');
    fs.writeFileSync(excludeFile, `${updateExcludes({ host: listed(CLIENT_STATE.hostExcludes), local: listed(CLIENT_STATE.localExcludes) }).join('\n')}\n`);
    const sync = (dryRun: boolean) => run(updateRsyncArgv({ source: conf.source, root: root || '/', excludeFile, dryRun, ssh: `ssh ${conf.sshOptions}` }), { okExitCodes: [24] });
    if (options.dryRun) {
      const result = await sync(true).catch((error: unknown) => failed(3, error, 'nothing changed'));
      const changes = result.stdout.split('\n').filter((line) => /^[<>ch.*][fdLDS*]/.test(line) && !/^\.d\.\.t/.test(line));
      return { image, version, finishedPrevious: previous, changes };
    }
    writeFileAtomic(at(CLIENT_STATE.marker), markerLine(image, version, new Date()));
    options.say(`updating ${root || '/'} from image ${image} version ${version} on ${conf.source.server} (${conf.source.transport})`);
    // A version switched on the server during the transfer may have left a mix: sync again (at most 3 passes).
    for (let pass = 1; ; pass++) {
      await sync(false).catch((error: unknown) => failed(1, error, 'the update is incomplete; run si updateclient again to finish it'));
      const now = await currentVersion(conf);
      if (now === version) break;
      if (pass === 3) throw new UserError(`image ${image} changed on the server during each of 3 passes: the update is incomplete; run si updateclient again`, 1);
      options.say(`image ${image} is now version ${now} on the server (was ${version}): syncing again`);
      version = now;
    }
    if (options.configure !== false) await runStages(conf, root, tmp, options.bootloader !== false);
    writeFileAtomic(at(CLIENT_STATE.version), imageVersionText({ image, version, server: conf.source.server, updated: new Date() }));
    fs.rmSync(at(CLIENT_STATE.marker), { force: true });
    options.say(`updated ${root || '/'} to image ${image} version ${version}`);
    if (options.reboot) await run(['reboot']);
    return { image, version, finishedPrevious: previous, changes: [] };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function currentVersion(conf: UpdateConf): Promise<string> {
  const { source } = conf;
  const argv =
    source.transport === 'ssh'
      ? ['rsync', '-e', `ssh ${conf.sshOptions}`, '-l', '--list-only', '--', sourceOf(source, source.image, '').replace(/\/$/, '')]
      : ['rsync', '--', `rsync://${source.server}${source.rsyncPort ? `:${source.rsyncPort}` : ''}/`];
  const listing = await capture(argv);
  if (listing.exitCode !== 0 && !(source.transport === 'ssh' && listing.exitCode === 23)) {
    const last = listing.stderr.trim().split('\n').at(-1) ?? '';
    throw new UserError(`cannot reach the image server ${source.server} over ${source.transport} (rsync code ${listing.exitCode ?? 'none'}: ${last}); nothing changed`, 3);
  }
  const version = versionFromListing(listing.stdout, source.image, source.transport);
  if (version === null) throw new UserError(`the image server ${source.server} serves no image ${source.image}: check SI_IMAGE in the configuration (si image list on the server); nothing changed`, 3);
  return version;
}

/** The configure stages from the host's plan as the server renders it now (HOST.sh and the master, fetched together). */
async function runStages(conf: UpdateConf, root: string, tmp: string, bootloader: boolean): Promise<void> {
  if (!conf.host) throw new UserError('the configuration sets no SI_HOST: the configure stages need the host\'s name (or use --no-configure)', 1);
  const { source } = conf;
  const plan = path.join(tmp, 'plan');
  fs.mkdirSync(plan);
  const files = [sourceOf(source, 'scripts', `${conf.host}.sh`), sourceOf(source, 'scripts', `${source.image}.master`)];
  const ssh = source.transport === 'ssh' ? ['-e', `ssh ${conf.sshOptions}`] : [];
  await run(['rsync', '-q', ...ssh, '--', ...files, `${plan}/`]).catch((error: unknown) =>
    failed(1, error, `cannot fetch the plan of ${conf.host}: the files are updated, the configure stages did not run; run si updateclient again`),
  );
  fs.writeFileSync(path.join(plan, 'stages.sh'), STAGES_RUNNER);
  const stages = [...UPDATE_STAGES, ...(bootloader ? [BOOTLOADER_STAGE] : [])].join(' ');
  const env = { SU_HOST_SCRIPT: `${conf.host}.sh`, SU_STAGES: stages, SI_TARGET: root || '/', SI_SERVER: source.server, SI_TRANSPORT: source.transport, SI_BOOT_DISK: conf.bootDisk, SI_BOOT_MAC: conf.bootMac };
  await run(['sh', path.join(plan, 'stages.sh')], { env, onStderr: (chunk) => process.stderr.write(chunk) }).catch((error: unknown) =>
    failed(1, error, 'the configure stages failed: run si updateclient again to finish the update'),
  );
}

function failed(code: number, error: unknown, fix: string): never {
  const detail = error instanceof Error ? (error.message.split('\n').find((line) => line.trim() !== '') ?? error.message) : String(error);
  throw new UserError(`${detail}: ${fix}`, code);
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { imageVersionText, markerLine, parseShellAssignments, parseUpdateConf, STAGES_RUNNER, versionFromListing, type UpdateConf } from '../../core/updates/client-conf.js';
import { CLIENT_STATE, parseExcludeFile, updateExcludes } from '../../core/updates/excludes.js';
import { chooseStages, SITE_SCRIPTS } from '../../core/updates/stage-inputs.js';
import { lockPath } from '../../core/updates/lock.js';
import type { UpdateResult } from '../../core/updates/result.js';
import { summarizeRsync } from '../../core/updates/result.js';
import { sourceOf, updateRsyncArgv } from '../../core/updates/update-plan.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { capture, run } from '../run.js';
import { lockDirectory, takeUpdateLock } from './update-lock.js';
import { readFileOrNull } from '../fs/read-optional.js';

export interface UpdateClientOptions {
  /** The tree to update ('/' on the host itself). */
  root: string;
  conf?: string;
  dryRun?: boolean;
  bootloader?: boolean;
  configure?: boolean;
  reboot?: boolean;
  /** What reboots: `reboot` by default; with a root other than / only a stand-in named here may run. */
  rebootCommand?: string;
  /** Progress lines (what si-updateclient says on stdout). */
  say: (line: string) => void;
  /** Each change as rsync itemizes it (`>f+++++++++ srv/new`, `*deleting   old`). */
  change: (line: string) => void;
  /** The result, once, at the end of every run: before the reboot, and before a failure is thrown. */
  report: (result: UpdateResult, outcome: UpdateClientOutcome) => void;
}

export interface UpdateClientOutcome extends UpdateResult {
  /** The previous update had not finished: this one did. */
  finishedPrevious: string | null;
  /** rsync's itemized changes (the dry run's list). */
  changes: string[];
}

/** `si updateclient`: what si-updateclient does, from the same core (excludes, argv, conf, marker, lock); exit codes as its. */
export async function updateClient(options: UpdateClientOptions): Promise<UpdateClientOutcome> {
  const outcome: UpdateClientOutcome = { result: 'ok', image: '', version: 'unknown', files: 0, bytes_received: 0, dry_run: Boolean(options.dryRun), stages: [], finishedPrevious: null, changes: [] };
  try {
    await update(options, outcome);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    options.report({ ...resultOf(outcome), result: 'failed', exit: error.exitCode, reason: error.message }, outcome);
    throw error;
  }
  options.report(resultOf(outcome), outcome);
  if (options.reboot && !options.dryRun) {
    await run(['sync']);
    await run([options.rebootCommand ?? 'reboot']).catch((error: unknown) => failed(1, error, 'the update is complete, but reboot failed: reboot by hand'));
  }
  return outcome;
}

function resultOf(outcome: UpdateClientOutcome): UpdateResult {
  const { result, image, version, files, bytes_received, dry_run, stages } = outcome;
  return { result, image, version, files, bytes_received, dry_run, stages };
}

async function update(options: UpdateClientOptions, outcome: UpdateClientOutcome): Promise<void> {
  if (!fs.existsSync(options.root) || !fs.statSync(options.root).isDirectory()) throw new UserError(`no directory ${options.root}: give the root to update with --root DIR`);
  const root = fs.realpathSync(options.root).replace(/\/$/, '');
  // reboot restarts this machine, whatever tree was updated: with --root only a named stand-in may run.
  if (options.reboot && root !== '' && !options.rebootCommand) throw new UserError(`--reboot restarts this machine, not the tree at ${root}: update the tree without --reboot`);
  const at = (file: string) => `${root}${file}`;
  const confPath = options.conf ?? at(CLIENT_STATE.conf);
  const confText = readFileOrNull(confPath);
  if (confText === null) throw new UserError(`no configuration ${confPath}: this host was not installed by sisuite, or write it as docs/updates.md shows`);
  const conf = parseUpdateConf(confText, confPath);
  const { image } = conf.source;
  outcome.image = image;
  if (!fs.existsSync(at('/etc/sisuite'))) throw new UserError(`no directory ${at('/etc/sisuite')}: this tree was not installed by sisuite`);
  const release = takeUpdateLock({ lock: lockPath(lockDirectory(), root), root: root || '/', say: options.say });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'si-updateclient-'));
  try {
    outcome.version = await currentVersion(conf, 3, 'nothing changed');
    const previous = readFileOrNull(at(CLIENT_STATE.marker))?.trim() ?? null;
    outcome.finishedPrevious = previous;
    if (previous !== null) options.say(`the previous update did not finish (${previous}): this run finishes it`);
    const excludeFile = path.join(tmp, 'exclude');
    const listed = (file: string) => parseExcludeFile(readFileOrNull(at(file)) ?? '');
    fs.writeFileSync(excludeFile, `${updateExcludes({ host: listed(CLIENT_STATE.hostExcludes), local: listed(CLIENT_STATE.localExcludes) }).join('\n')}\n`);
    /** One pass: its changes are said and counted, its bytes added. */
    const sync = async (dryRun: boolean, code: number, fix: string) => {
      const argv = updateRsyncArgv({ source: conf.source, root: root || '/', excludeFile, dryRun, ssh: `ssh ${conf.sshOptions}` });
      const result = await run(argv, { okExitCodes: [24] }).catch((error: unknown) => failed(code, error, fix));
      const { changes, bytesReceived } = summarizeRsync(result.stdout);
      for (const change of changes) options.change(change);
      outcome.changes.push(...changes);
      outcome.files += changes.length;
      outcome.bytes_received += bytesReceived;
      return result.exitCode;
    };
    const choose = (planChanged: boolean) => {
      const chosen = chooseStages({
        changes: outcome.changes,
        planChanged,
        unfinished: previous !== null,
        pending: (readFileOrNull(path.join(at(CLIENT_STATE.plan), 'pending')) ?? '').split(/\s+/).filter(Boolean),
        configure: options.configure !== false,
        bootloader: options.bootloader !== false,
        // As the script's glob (and the footprint's detection) sees them: no dot files.
        siteScripts: fs.existsSync(at(SITE_SCRIPTS)) && fs.readdirSync(at(SITE_SCRIPTS)).some((name) => !name.startsWith('.')),
      });
      outcome.stages = chosen.run;
      return chosen;
    };
    if (options.dryRun) {
      await sync(true, 3, 'nothing changed');
      const { run: would } = choose(false);
      if (would.length > 0) options.say(`would re-run the configure stages ${would.join(' ')} (the changes touch what they read; all of them if the host's plan changed on the server)`);
      else if (options.configure !== false) options.say('would re-run no configure stage: the changes touch nothing they read (all of them if the host\'s plan changed on the server)');
      options.say(`dry run: ${outcome.files} changes from image ${image} version ${outcome.version}; nothing was changed`);
      return;
    }
    writeFileAtomic(at(CLIENT_STATE.marker), markerLine(image, outcome.version, new Date()));
    options.say(`updating ${root || '/'} from image ${image} version ${outcome.version} on ${conf.source.server} (${conf.source.transport})`);
    // A version switched on the server during the transfer may have left a mix: sync again (at most 3 passes).
    for (let pass = 1; ; pass++) {
      const status = await sync(false, 1, 'the update is incomplete; run si updateclient again to finish it');
      const now = await currentVersion(conf, 1, 'the update is incomplete; run si updateclient again to finish it');
      if (now === outcome.version && status === 0) break;
      if (pass === 3) throw new UserError(`image ${image} changed on the server during each of 3 passes: the update is incomplete; run si updateclient again`, 1);
      options.say(`image ${image} is now version ${now} on the server (was ${outcome.version}): syncing again`);
      outcome.version = now;
    }
    const planChanged = options.configure !== false && (await fetchPlan(conf, at(CLIENT_STATE.plan)));
    const { run: stages, pending } = choose(planChanged);
    if (stages.length > 0) await runStages(conf, root, at(CLIENT_STATE.plan), stages);
    else if (options.configure !== false) options.say('configure stages skipped: the update changed nothing they read, and the host\'s plan is the same');
    const pendingFile = path.join(at(CLIENT_STATE.plan), 'pending');
    if (pending.length > 0 || fs.existsSync(pendingFile)) {
      fs.mkdirSync(at(CLIENT_STATE.plan), { recursive: true });
      fs.writeFileSync(pendingFile, `${pending.join(' ')}\n`);
      if (pending.length > 0) options.say(`left for a run with them: the configure stages ${pending.join(' ')} (their inputs changed)`);
    }
    const installed = parseShellAssignments(readFileOrNull(at(CLIENT_STATE.version)) ?? '').get('SI_INSTALLED') ?? null;
    writeFileAtomic(at(CLIENT_STATE.version), imageVersionText({ image, version: outcome.version, server: conf.source.server, installed, updated: new Date() }));
    fs.rmSync(at(CLIENT_STATE.marker), { force: true });
    options.say(`updated ${root || '/'} to image ${image} version ${outcome.version} (${outcome.files} files changed, ${outcome.bytes_received} bytes received)`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    release();
  }
}

async function currentVersion(conf: UpdateConf, code: number, then: string): Promise<string> {
  const { source } = conf;
  const argv =
    source.transport === 'ssh'
      ? ['rsync', '-e', `ssh ${conf.sshOptions}`, '-l', '--list-only', '--', sourceOf(source, source.image, '').replace(/\/$/, '')]
      : ['rsync', '--', `rsync://${source.server}${source.rsyncPort ? `:${source.rsyncPort}` : ''}/`];
  const listing = await capture(argv);
  // 23 over ssh: the server answered but has no such link.
  if (listing.exitCode !== 0 && !(source.transport === 'ssh' && listing.exitCode === 23)) {
    const last = listing.stderr.trim().split('\n').at(-1) ?? '';
    throw new UserError(`cannot reach the image server ${source.server} over ${source.transport} (rsync code ${listing.exitCode ?? 'none'}: ${last}): check SI_SERVER in the configuration and that the server runs si rsyncd (or sshd, for ssh); ${then}`, code);
  }
  const version = versionFromListing(listing.stdout, source.image, source.transport);
  if (version === null) throw new UserError(`the image server ${source.server} serves no image ${source.image}: check SI_IMAGE in the configuration (si image list on the server); ${then}`, code);
  return version;
}

/**
 * The host's plan as the server renders it now (HOST.sh and the master, fetched together) into `plan`, where the
 * last run's stays: rsync -c lists the files whose content changed. True when the plan changed (or is new here).
 */
async function fetchPlan(conf: UpdateConf, plan: string): Promise<boolean> {
  if (!conf.host) throw new UserError('the configuration sets no SI_HOST: the configure stages need the host\'s name (or use --no-configure)', 1);
  const { source } = conf;
  const files = [sourceOf(source, 'scripts', `${conf.host}.sh`), sourceOf(source, 'scripts', `${source.image}.master`)];
  const ssh = source.transport === 'ssh' ? ['-e', `ssh ${conf.sshOptions}`] : [];
  const fetched = await run(['rsync', '-c', '--out-format=%n', ...ssh, '--', ...files, `${plan}/`]).catch((error: unknown) =>
    failed(1, error, `cannot fetch the plan of ${conf.host}: the files are updated, the configure stages did not run; run si updateclient again`),
  );
  return fetched.stdout.trim() !== '';
}

/** The chosen configure stages of the fetched plan, on the updated tree. */
async function runStages(conf: UpdateConf, root: string, plan: string, chosen: readonly string[]): Promise<void> {
  const { source } = conf;
  // Beside HOST.sh and the master, where HOST.sh looks for the master.
  fs.writeFileSync(path.join(plan, 'stages.sh'), STAGES_RUNNER);
  const stages = chosen.join(' ');
  const env = { SU_HOST_SCRIPT: `${conf.host}.sh`, SU_STAGES: stages, SI_TARGET: root || '/', SI_SERVER: source.server, SI_TRANSPORT: source.transport, SI_BOOT_DISK: conf.bootDisk, SI_BOOT_MAC: conf.bootMac };
  await run(['sh', path.join(plan, 'stages.sh')], { env, onStderr: (chunk) => process.stderr.write(chunk) }).catch((error: unknown) =>
    failed(1, error, 'the configure stages failed: run si updateclient again to finish the update'),
  );
}

function failed(code: number, error: unknown, fix: string): never {
  const detail = error instanceof Error ? (error.message.split('\n').find((line) => line.trim() !== '') ?? error.message) : String(error);
  throw new UserError(`${detail}: ${fix}`, code);
}

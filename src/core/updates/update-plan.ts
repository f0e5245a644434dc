import { PRESERVE_ALL } from '../rsync/argv.js';
import { shellWords } from '../shell-quote.js';
import { STAGES_RUNNER } from './client-conf.js';
import { BOOTLOADER_STAGE, BUILTIN_EXCLUDES, STATE_EXCLUDES, UPDATE_STAGES } from './excludes.js';
import { candidateStages, SITE_SCRIPTS, stageMatchSed } from './stage-inputs.js';

export type UpdateTransport = 'rsync' | 'ssh';

/** What si-updateclient and `si updateclient` read from /etc/sisuite/updateclient.conf. */
export interface UpdateSource {
  server: string;
  image: string;
  transport: UpdateTransport;
  rsyncPort?: number;
  /** For ssh: the server's SI_HOME and the login user. */
  sshHome?: string;
  sshUser?: string;
}

/** Where the image (or a file of the scripts module) is served over the transport. */
export function sourceOf(source: UpdateSource, module: string, path: string): string {
  if (source.transport === 'ssh') {
    const dir = module === 'scripts' ? 'scripts' : `images/${module}`;
    return `${source.sshUser ?? 'root'}@${source.server}:${source.sshHome ?? '/var/lib/sisuite'}/${dir}/${path}`;
  }
  return `rsync://${source.server}${source.rsyncPort ? `:${source.rsyncPort}` : ''}/${module}/${path}`;
}

/**
 * The one rsync command of an update: the image's tree over the root, deleting what the image no longer has,
 * except the excluded paths (which are neither copied nor deleted: no --delete-excluded). The same options as
 * the install's copy (PRESERVE_ALL); si-updateclient runs the same words (templates/updateclient).
 */
export function updateRsyncArgv(options: { source: UpdateSource; root: string; excludeFile: string; dryRun: boolean; ssh?: string }): string[] {
  // --stats and the itemized list: what the result line counts (bytes received, paths changed).
  const argv = ['rsync', ...PRESERVE_ALL, '--delete', `--exclude-from=${options.excludeFile}`, '--stats', '--itemize-changes'];
  if (options.dryRun) argv.push('--dry-run');
  if (options.source.transport === 'ssh') argv.push('-e', options.ssh ?? 'ssh -o BatchMode=yes');
  argv.push('--', sourceOf(options.source, options.source.image, ''), `${options.root.replace(/\/+$/, '')}/`);
  return argv;
}

/** What templates/updateclient/si-updateclient.hbs sees. */
export interface UpdateClientContext {
  rsyncPreserve: string;
  builtinExcludes: string;
  stages: string;
  bootloaderStage: string;
  stagesRunner: string;
  /** sed script naming the stages each changed path touches (stage-inputs.ts). */
  stageSed: string;
  siteScripts: string;
}

export function buildUpdateClientContext(): UpdateClientContext {
  return {
    rsyncPreserve: shellWords(PRESERVE_ALL),
    builtinExcludes: [...BUILTIN_EXCLUDES, ...STATE_EXCLUDES].join('\n'),
    stages: UPDATE_STAGES.join(' '),
    bootloaderStage: BOOTLOADER_STAGE,
    stagesRunner: STAGES_RUNNER,
    stageSed: stageMatchSed(candidateStages(true)),
    siteScripts: SITE_SCRIPTS,
  };
}

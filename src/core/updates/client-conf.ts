import { UserError } from '../errors.js';
import { checkName } from '../names.js';
import type { UpdateSource } from './update-plan.js';

/** /etc/sisuite/updateclient.conf as both updaters read it: `NAME='value'` lines (sh, written by the install). */
export interface UpdateConf {
  source: UpdateSource;
  host: string | null;
  sshOptions: string;
  bootDisk: string;
  bootMac: string;
}

/** The conf's assignments; values in single quotes (each ' written '\''), or bare words. */
export function parseShellAssignments(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match?.[1] || match[2] === undefined) continue;
    const raw = match[2].trim();
    values.set(match[1], raw.startsWith("'") ? raw.slice(1, raw.lastIndexOf("'")).replaceAll(`'\\''`, "'") : raw);
  }
  return values;
}

export function parseUpdateConf(text: string, where: string): UpdateConf {
  const values = parseShellAssignments(text);
  const get = (name: string) => values.get(name) || undefined;
  const server = get('SI_SERVER');
  const image = get('SI_IMAGE');
  if (!server) throw new UserError(`${where} sets no SI_SERVER: name the image server there`);
  if (!image) throw new UserError(`${where} sets no SI_IMAGE: name the image there`);
  checkName('image', image);
  const transport = get('SI_TRANSPORT') ?? 'rsync';
  if (transport !== 'rsync' && transport !== 'ssh') throw new UserError(`unknown transport ${transport} in ${where}: use rsync or ssh`);
  const port = get('SI_RSYNC_PORT');
  if (port !== undefined && !/^\d{1,5}$/.test(port)) throw new UserError(`SI_RSYNC_PORT in ${where} is ${port}: give a port number`);
  return {
    source: { server, image, transport, rsyncPort: port === undefined ? undefined : Number(port), sshHome: get('SI_SSH_HOME') ?? '/var/lib/sisuite', sshUser: get('SI_SSH_USER') ?? 'root' },
    host: get('SI_HOST') ?? null,
    sshOptions: get('SI_SSH_OPTIONS') ?? '-o BatchMode=yes',
    bootDisk: get('SI_BOOT_DISK') ?? '',
    bootMac: get('SI_BOOT_MAC') ?? '',
  };
}

/**
 * The image's current version from what the server lists: the daemon's module list (`NAME  sisuite image NAME
 * version N`, from si rsyncd) or, over ssh, `rsync -l --list-only` of the link images/NAME (`... NAME ->
 * ../versions/NAME/N`). null: the server does not serve the image; 'unknown': it names no version.
 */
export function versionFromListing(listing: string, image: string, transport: UpdateSource['transport']): string | null {
  for (const line of listing.split('\n')) {
    if (transport === 'rsync' ? line.split(/\s/)[0] !== image : !line.includes(` ${image} -> `)) continue;
    return /[ /](\d+)\s*$/.exec(line)?.[1] ?? 'unknown';
  }
  return null;
}

/** The marker's one line: what the unfinished update was syncing to. */
export function markerLine(image: string, version: string, started: Date): string {
  return `image ${image} version ${version} started ${started.toISOString().replace(/\.\d+Z$/, 'Z')}\n`;
}

/**
 * /etc/sisuite/image-version, the same lines si-updateclient writes: SI_INSTALLED (the install's date, kept) and
 * SI_UPDATED (this update's).
 */
export function imageVersionText(options: { image: string; version: string; server: string; installed?: string | null; updated: Date }): string {
  const when = options.updated.toISOString().replace(/\.\d+Z$/, 'Z');
  const installed = options.installed ? `SI_INSTALLED=${options.installed}\n` : '';
  return `SI_IMAGE=${options.image}\nSI_IMAGE_VERSION=${options.version}\nSI_SERVER=${options.server}\n${installed}SI_UPDATED=${when}\n`;
}

/**
 * Runs configure stages ($SU_STAGES) of the host's plan (HOST.sh, $SU_HOST_SCRIPT, beside this file) on
 * $SI_TARGET. Both updaters write it beside the fetched HOST.sh and master and run it with sh.
 */
export const STAGES_RUNNER = `# HOST.sh finds the master beside $0; SI_SOURCE_ONLY makes the master define its functions and stop.
SI_SOURCE_ONLY=1
exec 3>&1 4<&0
. "$(dirname "$0")/$SU_HOST_SCRIPT" || exit 1
for su_stage in $SU_STAGES; do
	si_log "configure: $su_stage"
	si_configure_stage "$su_stage" || exit 1
done
`;

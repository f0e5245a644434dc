import type { ConfigurePlan } from '../configure/plan.js';
import { IDENTITY_RECORD } from '../configure/identity.js';
import type { StageName } from '../configure/stages.js';

/**
 * What an update never touches, anchored at / (rsync exclude patterns, one per line in the files the
 * client reads). SystemImager's si_updateclient list, plus /run/* and /dev/* (a push that deletes
 * /run/sshd locks the next login out). Excluded paths are neither copied nor deleted (no --delete-excluded).
 */
export const BUILTIN_EXCLUDES: readonly string[] = [
  '/etc/mtab',
  '/proc/*',
  '/sys/*',
  '/dev/*',
  '/run/*',
  '/var/lock/*',
  '/var/log/*',
  '/var/run/*',
  '/var/spool/*',
  '/etc/lvm/backup/*',
  '/etc/lvm/archive/*',
  '/boot/grub/device.map',
  '/etc/hostname',
  '/etc/network/interfaces',
  '/etc/adjtime',
  '/var/lib/dhcp/*',
  '/etc/fstab',
  '/home/*',
  '/mnt/*',
  '/tmp/*',
  '/media/*',
  // The host's identity, whatever the plan says: a fresh machine id and host keys are the host's own.
  '/etc/machine-id',
  '/var/lib/dbus/machine-id',
  '/etc/ssh/ssh_host_*',
];

/** The update's own state on the client (none of it is in the image; all of it stays). */
export const CLIENT_STATE = {
  script: '/usr/local/sbin/si-updateclient',
  conf: '/etc/sisuite/updateclient.conf',
  hostExcludes: '/etc/sisuite/updateclient.exclude',
  localExcludes: '/etc/sisuite/updateclient.local.exclude',
  version: '/etc/sisuite/image-version',
  marker: '/etc/sisuite/updateclient.incomplete',
  /** The host's plan as the last update fetched it, and the stages it left pending (stage-inputs.ts). */
  plan: '/etc/sisuite/updateclient.plan',
} as const;

export const STATE_EXCLUDES: readonly string[] = [...Object.values(CLIENT_STATE), IDENTITY_RECORD];

/**
 * The configure stages an update re-runs, in order. hostname, network and fstab write only files the update
 * excludes (and need install-time values: the filesystems' UUIDs, the boot MAC), so re-running them changes
 * nothing; the bootloader runs last, unless --no-bootloader.
 */
export const UPDATE_STAGES: readonly StageName[] = ['identity', 'initrd', 'locale', 'user-exits'];
export const BOOTLOADER_STAGE: StageName = 'bootloader';

/** rsync treats [ * ? and a leading/trailing special as patterns: a literal path escapes them. */
function literalPattern(path: string): string {
  return path.replace(/[[*?\\]/g, (c) => `\\${c}`);
}

/**
 * Every path the host's configure plan writes, links, removes or records: the host's own, so an update keeps
 * it. Paths holding an install-time token (the boot MAC) end in a wildcard from the token on.
 */
export function hostExcludes(plan: ConfigurePlan): string[] {
  const paths = new Set<string>();
  const add = (path: string) => {
    const token = path.indexOf('${');
    paths.add(token === -1 ? literalPattern(path) : `${literalPattern(path.slice(0, token))}*`);
  };
  for (const stage of plan.stages) {
    for (const write of stage.write) add(write.path);
    for (const link of stage.links) add(link.path);
    for (const path of stage.remove) add(path);
    for (const action of stage.identity) add(action.path);
    if (stage.record) {
      add(stage.record.path);
      // Globs of the record (wildcards in the last segment only) are rsync patterns as they are.
      for (const glob of stage.record.files) paths.add(glob);
    }
  }
  return [...paths].sort();
}

/** The exclude list of an update: built-in, the update's own state, then the host's files, then the site's. */
export function updateExcludes({ host = [], local = [] }: { host?: readonly string[]; local?: readonly string[] }): string[] {
  return [...new Set([...BUILTIN_EXCLUDES, ...STATE_EXCLUDES, ...host, ...local])];
}

/** An exclude file's lines without comments and blanks (the client's sh reads the same files with rsync). */
export function parseExcludeFile(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith(';'));
}

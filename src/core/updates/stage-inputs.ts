import type { StageName } from '../configure/stages.js';
import { BOOTLOADER_STAGE, UPDATE_STAGES } from './excludes.js';

/**
 * What each configure stage an update may re-run reads from the tree, beyond the files it writes (which the update
 * excludes, so a sync never changes them): path prefixes, anchored at / (a path matches itself and everything
 * under it; a trailing `*` matches any path that begins so). 'any': the stage may read anything (site scripts).
 * A stage whose inputs the update did not touch, with the host's plan unchanged, would do what it did last time:
 * the update skips it. Kept wide on purpose: a needless re-run costs seconds, a missed one a host that does not boot.
 */
export const STAGE_INPUTS: Readonly<Record<string, readonly string[] | 'any'>> = {
  // ssh-keygen -A, the machine-id and D-Bus footprints (their files are the host's own and excluded).
  identity: ['/etc/ssh', '/usr/bin/ssh-keygen', '/var/lib/dbus', '/usr/lib/systemd/systemd', '/lib/systemd/systemd', '/usr/bin/systemctl'],
  // update-initramfs, dracut, mkinitcpio: kernels, their configs and hooks, and the programs and libraries they copy.
  initrd: [
    '/boot', '/usr/lib', '/lib', '/lib64', '/usr/lib64', '/usr/bin', '/usr/sbin', '/bin', '/sbin', '/usr/share/initramfs-tools',
    '/etc/initramfs-tools', '/etc/dracut.conf', '/etc/dracut.conf.d', '/etc/mkinitcpio.conf', '/etc/mkinitcpio.d', '/etc/modprobe.d',
    '/etc/modules', '/etc/crypttab', '/etc/mdadm', '/etc/lvm', '/etc/udev',
  ],
  // Time zone and keyboard files.
  locale: ['/usr/share/zoneinfo', '/etc/default/keyboard', '/etc/vconsole.conf', '/etc/timezone', '/etc/localtime'],
  // The site's scripts may depend on anything the update changed; without scripts the stage does nothing.
  'user-exits': 'any',
  // GRUB, systemd-boot, extlinux: kernels, their configs and modules, and the OS name the menu shows.
  bootloader: [
    '/boot', '/usr/lib/modules', '/lib/modules', '/etc/default/grub', '/etc/default/grub.d', '/etc/grub.d', '/usr/lib/grub', '/usr/share/grub',
    '/usr/sbin/grub-*', '/usr/bin/grub-*', '/etc/kernel', '/usr/lib/kernel', '/usr/lib/systemd/boot', '/usr/bin/bootctl', '/etc/extlinux*',
    '/usr/lib/EXTLINUX', '/usr/lib/syslinux', '/etc/os-release', '/usr/lib/os-release',
  ],
};

/** Where user-exits finds the site's scripts (its footprint's detection): without any, the stage does nothing. */
export const SITE_SCRIPTS = '/etc/sisuite/configure.d';

/**
 * The path of one of rsync's itemized lines (`%i %n%L`): `>f+++++++++ srv/new`, `*deleting   old/`, `cL+++ a -> b`,
 * `hf+++ a => b` (a hard link).
 */
export function changedPath(line: string): string {
  const path = line.replace(/^\S+ +/, '').replace(/ [-=]> .*$/, '');
  return `/${path.replace(/\/$/, '')}`;
}

function inputMatches(input: string, path: string): boolean {
  if (input.endsWith('*')) return path.startsWith(input.slice(0, -1));
  return path === input || path.startsWith(`${input}/`);
}

/**
 * The stages (of `stages`) whose inputs one of the changed paths (itemized lines) touches, in run order.
 * `siteScripts`: the updated tree has scripts in SITE_SCRIPTS (else user-exits has nothing to run).
 */
export function touchedStages(stages: readonly StageName[], changes: readonly string[], siteScripts: boolean): StageName[] {
  const paths = changes.map(changedPath);
  return stages.filter((stage) => {
    const inputs = STAGE_INPUTS[stage];
    if (inputs === undefined || inputs === 'any') return paths.length > 0 && (stage !== 'user-exits' || siteScripts);
    return paths.some((path) => inputs.some((input) => inputMatches(input, path)));
  });
}

/** The stages an update may re-run, in order: the update stages, then the bootloader unless left out. */
export function candidateStages(bootloader: boolean): StageName[] {
  return [...UPDATE_STAGES, ...(bootloader ? [BOOTLOADER_STAGE] : [])];
}

/**
 * Which stages this run re-runs. All of them when the host's plan changed on the server (or was never fetched
 * here), or when the previous update did not finish; else those whose inputs the update touched, and those an
 * earlier run left pending (it was told --no-bootloader or --no-configure while their inputs changed).
 * `pending` out: what this run leaves for the next (needed, but not run because of those options).
 */
export function chooseStages(options: {
  changes: readonly string[];
  planChanged: boolean;
  unfinished: boolean;
  pending: readonly string[];
  configure: boolean;
  bootloader: boolean;
  siteScripts: boolean;
}): { run: StageName[]; pending: StageName[] } {
  const all = candidateStages(true);
  const touched = touchedStages(all, options.changes, options.siteScripts);
  const needed = options.planChanged || options.unfinished ? all : all.filter((stage) => options.pending.includes(stage) || touched.includes(stage));
  const allowed = options.configure ? candidateStages(options.bootloader) : [];
  return { run: needed.filter((stage) => allowed.includes(stage)), pending: needed.filter((stage) => !allowed.includes(stage)) };
}

/** A literal in a POSIX basic regular expression (sed's; the inputs above hold no %, the address delimiter). */
function basicRegex(text: string): string {
  return text.replace(/[.[\]*^$\\]/g, (c) => `\\${c}`);
}

/**
 * For si-updateclient: one sed script that prints, for each itemized line, the name of every stage whose inputs
 * the line's path touches (`h`/`g` keep the line for the next test). The same matching as touchedStages.
 */
export function stageMatchSed(stages: readonly StageName[]): string {
  // The itemized path begins after the flags and spaces; a trailing / (directory) or ' -> ' (symlink) may follow.
  const lead = '^[^ ][^ ]*  *';
  const rules = stages.map((stage) => {
    const inputs = STAGE_INPUTS[stage];
    const patterns =
      inputs === undefined || inputs === 'any'
        ? [lead]
        : inputs.flatMap((input) => {
            const relative = basicRegex(input.replace(/^\//, '').replace(/\*$/, ''));
            // Itself (end of line), or what follows it: / (a directory, or a path under it), or ' -> ' (a symlink).
            return input.endsWith('*') ? [`${lead}${relative}`] : [`${lead}${relative}$`, `${lead}${relative}[/ ]`];
          });
    return patterns.map((pattern) => `\\%${pattern}%{s/.*/${stage}/p;g;}`).join('\n');
  });
  return ['h', ...rules].join('\n');
}

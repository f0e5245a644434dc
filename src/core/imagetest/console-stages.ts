// What the VM's serial console says about how far it got: the installer starting or failing, and the boot of the
// installed system stage by stage. Pure: the watcher calls these on the console text on every poll.

/** The boot stages after the install, in order. */
export const BOOT_STAGES = ['reboot', 'bootloader', 'kernel', 'multi-user', 'hostname'] as const;
export type BootStage = (typeof BOOT_STAGES)[number];

interface Marks {
  ok: RegExp;
  /** Seen before `ok`: the stage failed (said at once, not by waiting out the bound). */
  fail?: RegExp;
  /** What a failure means, for the report. */
  failure: string;
}

// Firmware banners (SeaBIOS, iPXE, OVMF's boot manager) or the boot server's local-boot menu: the machine restarted.
const FIRMWARE = /SeaBIOS \(version|iPXE \d|iPXE initialising|BdsDxe: |Boot from the local disk/;
// The disk's loader: GRUB's menu or messages, SYSLINUX, systemd-boot.
const LOADER = /GNU GRUB {1,2}version|Welcome to GRUB|Booting `[^'\n]*'|Loading Linux |SYSLINUX \d|EXTLINUX \d|systemd-boot \d/;
const NO_LOADER = /No bootable device|Boot failed: not a bootable disk|Boot failed: could not read the boot disk|grub rescue>|error: unknown filesystem|error: no such partition|No EFI loader found/;
// The kernel runs (its own messages on the console, or systemd's banner when it logs quietly).
const KERNEL = /Linux version \d|\bRun \/init as init process|Welcome to (?!GRUB)[^\n]*!|systemd\[1\]: /;
// GRUB's shell with no menu entry, a kernel file that is not there, or a kernel that cannot go on.
const NO_KERNEL = /\ngrub> |error: file [`'][^'\n]*' not found|you need to load the kernel first|Kernel panic - not syncing/;
const LOGIN = /\n([A-Za-z0-9][A-Za-z0-9.-]*) login: /;
// systemd's emergency and rescue modes: a mount or unit that local-fs needs failed (a broken fstab).
const EMERGENCY = /Reached target (?:emergency|rescue)\.target|You are in (?:emergency|rescue) mode|Give root password for maintenance|Cannot open access to console, the root account is locked|Entering emergency mode|Kernel panic - not syncing/;

const MARKS: Record<Exclude<BootStage, 'hostname'>, Marks> = {
  reboot: { ok: FIRMWARE, failure: 'the VM did not start again after the install' },
  bootloader: { ok: LOADER, fail: NO_LOADER, failure: 'no boot loader ran from the disk' },
  kernel: { ok: KERNEL, fail: NO_KERNEL, failure: 'the boot loader started no kernel' },
  'multi-user': { ok: LOGIN, fail: EMERGENCY, failure: 'the system did not reach multi-user (no login prompt)' },
};

export interface StageMark {
  stage: BootStage;
  /** Where in the console text the stage's evidence ends. */
  at: number;
}

export interface BootProgress {
  /** Stages reached, in order. */
  reached: StageMark[];
  /** The stage that failed, with why, when the console shows a failure. */
  failed: { stage: BootStage; reason: string } | null;
}

/** Removes ANSI escapes (firmware menus) and carriage returns, and keeps offsets meaningful for the clean text. */
export function cleanConsole(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\x1b[()][0-9A-Za-z]/g, '').replace(/\r/g, '');
}

/** The last `lines` lines of a console, cleaned. */
export function consoleTail(text: string, lines = 30): string {
  return cleanConsole(text).trimEnd().split('\n').slice(-lines).join('\n');
}

/** The installer's own progress: it started (its first phase line) or failed (a phase and a message). */
export function installerState(text: string): { started: boolean; failure: string | null } {
  const clean = cleanConsole(text);
  const failed = /si-installer: FAILED in phase (\S+): ([^\n]*)/.exec(clean);
  const script = /\nsi: phase (\S+) failed[^\n]*/.exec(clean);
  return {
    started: /si-installer: phase \S+/.test(clean),
    failure: failed ? `installer phase ${failed[1]}: ${failed[2]}` : script ? `install phase ${script[1]} failed` : null,
  };
}

/**
 * The boot stages the console shows after `since` (the point where the install ended). Each stage is looked for
 * after the previous one's evidence; a failure marker before the stage's own marker fails it.
 */
export function bootProgress(text: string, options: { since: number; hostname: string }): BootProgress {
  const clean = cleanConsole(text.slice(options.since));
  const reached: StageMark[] = [];
  let position = 0;
  for (const stage of ['reboot', 'bootloader', 'kernel', 'multi-user'] as const) {
    const marks = MARKS[stage];
    const rest = clean.slice(position);
    const ok = marks.ok.exec(rest);
    const fail = marks.fail?.exec(rest) ?? null;
    if (fail && (!ok || fail.index < ok.index)) {
      // systemd names the unit that failed first (a mount of a broken fstab line): the most useful words of all.
      const first = /\[FAILED\] (Failed to [^\n]*)/.exec(rest.slice(0, fail.index))?.[1]?.trim();
      return { reached, failed: { stage, reason: `${marks.failure}: ${fail[0].trim()}${first ? ` (first failure: ${first})` : ''}` } };
    }
    if (!ok) return { reached, failed: null };
    position += ok.index + ok[0].length;
    reached.push({ stage, at: position });
    if (stage === 'multi-user') {
      const shown = ok[1] ?? '';
      if (shown !== options.hostname) return { reached, failed: { stage: 'hostname', reason: `the login prompt shows ${shown}, not ${options.hostname}` } };
      reached.push({ stage: 'hostname', at: position });
    }
  }
  return { reached, failed: null };
}

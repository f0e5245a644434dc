/** One line of /proc/PID/mountinfo (proc(5)): where a filesystem is mounted, its type and its source. */
export interface MountEntry {
  mountPoint: string;
  fstype: string;
  source: string;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
const unescape = (field: string) => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

/** Parses mountinfo text; lines that do not have its shape are skipped. */
export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    const mountPoint = fields[4];
    const fstype = fields[dash + 1];
    const source = fields[dash + 2];
    if (dash === -1 || mountPoint === undefined || fstype === undefined || source === undefined) continue;
    entries.push({ mountPoint: unescape(mountPoint), fstype, source: unescape(source) });
  }
  return entries;
}

/** Mounts at or below `dir` (a canonical path), deepest first: the order to unmount them in. */
export function mountsBelow(entries: readonly MountEntry[], dir: string): MountEntry[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return entries
    .filter((entry) => entry.mountPoint.startsWith(prefix))
    .sort((a, b) => b.mountPoint.split('/').length - a.mountPoint.split('/').length || b.mountPoint.length - a.mountPoint.length);
}

/** The source si configure gives its own mounts, so that a later run can tell them from anyone else's. */
export const CHROOT_MOUNT_SOURCE = 'si-configure';

/** `si-configure:PID` -> PID, or undefined for a mount that is not si configure's. */
export function chrootMountOwner(entry: MountEntry): number | undefined {
  const m = new RegExp(`^${CHROOT_MOUNT_SOURCE}:(\\d+)$`).exec(entry.source);
  return m ? Number(m[1]) : undefined;
}

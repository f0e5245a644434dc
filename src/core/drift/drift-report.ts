import { parseItemizedDiff } from '../images/itemized-diff.js';

/** How one client differs from the image version it carries, as seen from the client. */
export interface HostDrift {
  host: string;
  image: string | null;
  version: string | null;
  /** On the client, not in the image. */
  added: string[];
  /** In both, with other content or metadata. */
  changed: string[];
  /** In the image, missing on the client. */
  removed: string[];
  /** Why this host could not be checked ('' when it was). */
  error: string;
}

export interface PathDrift {
  path: string;
  /** How it differs where it does: added, changed, removed (or a mix across hosts). */
  kinds: string[];
  hosts: string[];
  /** The number of hosts checked: "differs on 37 of 40 hosts". */
  of: number;
}

/**
 * rsync's itemized dry run from the image version (sender) to the client (receiver) turned round: what rsync
 * would create on the client is missing there, what it would delete was added there.
 */
export function driftFromItemized(output: string): Pick<HostDrift, 'added' | 'changed' | 'removed'> {
  const diff = parseItemizedDiff(output);
  return { added: diff.removed, changed: diff.changed, removed: diff.added };
}

/** Per path: on which of the checked hosts it differs; the most widespread first, then by path. */
export function summarizeByPath(hosts: readonly HostDrift[]): PathDrift[] {
  const checked = hosts.filter((h) => !h.error);
  const byPath = new Map<string, { kinds: Set<string>; hosts: string[] }>();
  for (const host of checked) {
    for (const kind of ['added', 'changed', 'removed'] as const) {
      for (const path of host[kind]) {
        const entry = byPath.get(path) ?? { kinds: new Set<string>(), hosts: [] };
        entry.kinds.add(kind);
        entry.hosts.push(host.host);
        byPath.set(path, entry);
      }
    }
  }
  return [...byPath.entries()]
    .map(([path, entry]) => ({ path, kinds: [...entry.kinds].sort(), hosts: entry.hosts.sort(), of: checked.length }))
    .sort((a, b) => b.hosts.length - a.hosts.length || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** `/etc/ntp.conf differs on 37 of 40 hosts (changed: node001,...)`. */
export function describePathDrift(entry: PathDrift, listAtMost = 8): string {
  const names = entry.hosts.length <= listAtMost ? entry.hosts.join(',') : `${entry.hosts.slice(0, listAtMost).join(',')},...`;
  return `${entry.path} differs on ${entry.hosts.length} of ${entry.of} hosts (${entry.kinds.join('/')}: ${names})`;
}

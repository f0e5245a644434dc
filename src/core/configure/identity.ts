import type { IdentitySpec } from './footprint.js';
import type { IdentityAction, IdentityRecordAction } from './plan.js';
import { expandGlob, type TreeReader } from './tree.js';

/**
 * Host identity (machine id, ssh host keys, seeds) must never be the golden client's, yet a
 * re-run must keep the identity a host already has. After generating it, the appliers record
 * the digests of the host's identity files in IDENTITY_RECORD; a file counts as the host's own
 * only when the record names this host and the digest still matches. Everything else found in
 * the tree is the golden client's and is replaced.
 */
export const IDENTITY_RECORD = '/etc/sisuite/identity';
export const IDENTITY_RECORD_HEADER = '# sisuite: host identity files generated for this host; configure keeps them while these digests match';

/** The exact text both appliers write; entries are `<sha256>  <path>` like sha256sum(1). */
export function formatIdentityRecord(host: string, entries: readonly { path: string; sha256: string }[]): string {
  const lines = [IDENTITY_RECORD_HEADER, `host ${host}`, ...entries.map((entry) => `${entry.sha256}  ${entry.path}`)];
  return `${lines.join('\n')}\n`;
}

/** Paths and digests of the files the tree's record says belong to `host` (empty for another host). */
export function readOwnIdentity(tree: TreeReader, host: string): Map<string, string> {
  const own = new Map<string, string>();
  const text = tree.readFile(IDENTITY_RECORD);
  if (!text) return own;
  const lines = text.split('\n');
  if (!lines.includes(`host ${host}`)) return own;
  for (const line of lines) {
    const match = /^([0-9a-f]{64}) {2}(\/.+)$/.exec(line);
    if (match?.[1] && match[2]) own.set(match[2], match[1]);
  }
  return own;
}

export interface IdentityPlan {
  actions: IdentityAction[];
  owned: string[];
}

export function planIdentity(tree: TreeReader, spec: IdentitySpec, own: Map<string, string>): IdentityPlan {
  const actions: IdentityAction[] = [];
  for (const path of spec.machineIds ?? []) {
    const digest = tree.sha256(path);
    if (digest !== undefined && own.get(path) === digest) continue;
    actions.push({ kind: 'fresh-machine-id', path, replace: digest === undefined ? [] : [digest] });
  }
  for (const glob of spec.drop ?? []) {
    for (const path of expandGlob(tree, glob)) {
      const digest = tree.sha256(path);
      if (digest !== undefined && own.get(path) !== digest) actions.push({ kind: 'drop-golden', path, sha256: digest });
    }
  }
  return { actions, owned: [...(spec.machineIds ?? []), ...(spec.owned ?? [])] };
}

export function identityRecord(host: string, owned: readonly string[]): IdentityRecordAction | null {
  return owned.length === 0 ? null : { path: IDENTITY_RECORD, host, files: [...owned] };
}

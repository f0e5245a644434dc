/** Turns rsync's itemized dry-run output (--out-format='%i %n') into added, removed and changed paths. */
export interface ImageDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

export function parseItemizedDiff(output: string): ImageDiff {
  const diff: ImageDiff = { added: [], removed: [], changed: [] };
  for (const line of output.split('\n')) {
    const match = /^(\S{11}|\*deleting)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [, code = '', name = ''] = match;
    const path = `/${name.replace(/\/$/, '')}`;
    if (path === '/.' || path === '/') continue;
    if (code === '*deleting') diff.removed.push(path);
    else if (code.slice(2).startsWith('+++++++++')) diff.added.push(path);
    else if (isRealChange(code)) diff.changed.push(path);
  }
  for (const list of Object.values(diff)) list.sort();
  return diff;
}

/**
 * Columns after the type: checksum, size, time, perms, owner, group, (unused), acl, xattr.
 * A directory whose only change is its time stamp just had an entry added or removed: not listed.
 */
function isRealChange(code: string): boolean {
  const flags = code.slice(2).split('');
  const changed = flags.map((flag, index) => flag !== '.' && flag !== ' ' && !(index === 2 && flag === 'T'));
  if (code[1] === 'd') return changed.some((c, index) => c && index !== 2);
  return changed.some(Boolean) || code[0] === '>' || code[0] === 'c';
}

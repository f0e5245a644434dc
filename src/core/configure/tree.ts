import { UserError } from '../errors.js';

/**
 * Read access to a root tree, by absolute paths inside it ('/etc/hostname'). Detection only
 * reads through this, so it stays pure: tests pass an in-memory tree, infra an fs-backed one.
 */
export interface TreeReader {
  /** True for files, directories and symlinks (even dangling ones). */
  exists(path: string): boolean;
  /** File content as UTF-8, or undefined when absent or not a regular file. */
  readFile(path: string): string | undefined;
  /** Entry names of a directory, or [] when it is absent. */
  list(dir: string): string[];
  /** sha256 (hex) of a regular file's bytes, or undefined when absent (binary-safe). */
  sha256(path: string): string | undefined;
  /**
   * expandGlob's answer, when the reader keeps them (a tree that does not change while many hosts are
   * planned from it). Absent: expandGlob works it out from list and exists.
   */
  glob?(pattern: string): readonly string[];
}

const WILDCARD = /[*?]/;

const compiled = new Map<string, RegExp>();

function wildcardToRegExp(pattern: string): RegExp {
  let regex = compiled.get(pattern);
  if (!regex) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
    regex = new RegExp(`^${body}$`);
    compiled.set(pattern, regex);
  }
  return regex;
}

/**
 * Expands a path whose segments may hold `*` and `?` (never matching a leading dot) into the
 * existing paths, sorted. A path without wildcards comes back when it exists. The answer may be
 * shared with other callers: do not change it.
 */
export function expandGlob(tree: TreeReader, pattern: string): readonly string[] {
  return tree.glob ? tree.glob(pattern) : expandPattern(tree, pattern);
}

/** expandGlob's work, through list and exists only (what a caching reader calls once per pattern). */
export function expandPattern(tree: TreeReader, pattern: string): string[] {
  const segments = pattern.split('/').filter(Boolean);
  let paths = [''];
  for (const segment of segments) {
    const next: string[] = [];
    for (const base of paths) {
      if (!WILDCARD.test(segment)) {
        next.push(`${base}/${segment}`);
        continue;
      }
      const regex = wildcardToRegExp(segment);
      for (const name of tree.list(base || '/')) {
        if (!name.startsWith('.') && regex.test(name)) next.push(`${base}/${name}`);
      }
    }
    paths = next;
  }
  return paths.filter((path) => tree.exists(path)).sort();
}

export function matchesGlob(pattern: string, path: string): boolean {
  const patternSegments = pattern.split('/').filter(Boolean);
  const pathSegments = path.split('/').filter(Boolean);
  return (
    patternSegments.length === pathSegments.length &&
    patternSegments.every((segment, index) => wildcardToRegExp(segment).test(pathSegments[index] ?? ''))
  );
}

export interface SystemInfo {
  id: string;
  idLike: string[];
  versionId: string | null;
  prettyName: string | null;
}

/** Reads os-release (systemd's os-release(5)); a tree without one is not a system we can configure. */
export function readSystemInfo(tree: TreeReader): SystemInfo {
  const text = tree.readFile('/etc/os-release') ?? tree.readFile('/usr/lib/os-release');
  if (text === undefined) {
    throw new UserError('no recognisable system in the root tree: neither /etc/os-release nor /usr/lib/os-release exists');
  }
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1]) fields.set(match[1], (match[2] ?? '').replace(/^(["'])(.*)\1$/, '$2'));
  }
  return {
    id: fields.get('ID') ?? 'linux',
    idLike: (fields.get('ID_LIKE') ?? '').split(/\s+/).filter(Boolean),
    versionId: fields.get('VERSION_ID') ?? null,
    prettyName: fields.get('PRETTY_NAME') ?? null,
  };
}

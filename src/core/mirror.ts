/**
 * The Debian mirror for debootstrap comes from the machine's own apt sources (or --mirror):
 * sisuite never names a mirror host itself.
 */
export function mirrorFromAptSources(deb822Sources: string[], oneLineSources: string[]): string | null {
  for (const text of deb822Sources) {
    for (const stanza of text.split(/\n\s*\n/)) {
      const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim();
      if (!/\bdeb\b/.test(field('Types') ?? '')) continue;
      const suites = (field('Suites') ?? '').split(/\s+/).filter(Boolean);
      if (suites.every(isSecuritySuite)) continue;
      const uri = field('URIs')?.split(/\s+/)[0];
      if (uri) return uri;
    }
  }
  for (const text of oneLineSources) {
    for (const line of text.split('\n')) {
      const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line.trim());
      if (match && !isSecuritySuite(match[2] ?? '')) return match[1] ?? null;
    }
  }
  return null;
}

function isSecuritySuite(suite: string): boolean {
  return /-security$|\/updates$/.test(suite);
}

/**
 * The Debian mirror for debootstrap comes from the machine's own apt sources (or --mirror):
 * sisuite never names a mirror host itself.
 *
 * Preference: an enabled deb822 stanza of type deb whose Suites name the suite, then any enabled deb
 * stanza that is not security-only (a mirror serves every suite), then the same two steps over one-line
 * sources.list entries.
 */
export function findAptMirror(options: { deb822: readonly string[]; oneLine: readonly string[]; suite: string }): string | undefined {
  const sources = [...options.deb822.flatMap(parseDeb822), ...options.oneLine.flatMap(parseOneLine)];
  const named = sources.find((s) => s.suites.includes(options.suite));
  const general = sources.find((s) => !s.suites.every(isSecuritySuite));
  return (named ?? general)?.uri;
}

interface AptSource {
  uri: string;
  suites: string[];
}

function parseDeb822(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (match?.[1] && match[2] !== undefined) fields.set(match[1].toLowerCase(), match[2].trim());
    }
    const words = (key: string): string[] => (fields.get(key) ?? '').split(/\s+/).filter(Boolean);
    const uri = words('uris')[0];
    if (fields.get('enabled') === 'no' || !words('types').includes('deb') || !uri) continue;
    sources.push({ uri, suites: words('suites') });
  }
  return sources;
}

function parseOneLine(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
    if (match?.[1] && match[2]) sources.push({ uri: match[1], suites: [match[2]] });
  }
  return sources;
}

function isSecuritySuite(suite: string): boolean {
  return /-security$|\/updates$/.test(suite);
}

// rsync exclude patterns as a predicate, for tests that check which paths an update or a drift report left alone.

/** An rsync exclude pattern anchored at / as a test: `/x/*` is what is under /x, a `*` matches within a name. */
export function excludeMatcher(patterns: readonly string[]): (path: string) => boolean {
  const tests = patterns.map((pattern) => {
    const regex = pattern
      .replace(/\\(.)/g, '$1')
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*');
    return new RegExp(`^${regex}(/.*)?$`);
  });
  return (path) => tests.some((t) => t.test(path));
}

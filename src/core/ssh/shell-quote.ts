/**
 * An ssh "exec" request carries one command line that the remote login shell parses: there is no
 * argv across ssh. So our argv is quoted word by word in single quotes, which POSIX shells never
 * interpret inside; this is the only place sisuite produces a shell command line.
 */
export function quoteForRemoteShell(argv: readonly string[]): string {
  return argv.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
}

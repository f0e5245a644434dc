/**
 * The one place sisuite writes POSIX sh words: the autoinstall script, the configure plan as shell, and
 * the command line an ssh "exec" request carries (there is no argv across ssh: the remote login shell
 * parses one line). Single quotes, inside which POSIX shells interpret nothing; each ' is written '\''.
 * (rsync's -e value is not shell: rsync splits it itself, see sshCommandForRsync.)
 */
export function shQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Words as one line of sh: plain words as they are (easier to read in a script), anything else quoted. */
export function shellWords(words: readonly string[]): string {
  return words.map((word) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : shQuote(word))).join(' ');
}

/** Every word quoted: the command line of an ssh exec request. */
export function quoteForRemoteShell(argv: readonly string[]): string {
  return argv.map(shQuote).join(' ');
}

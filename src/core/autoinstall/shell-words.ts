import { shQuote } from '../configure/shell.js';

/** Words as one line of POSIX sh: plain words as they are, anything else single-quoted. */
export function shellWords(words: readonly string[]): string {
  return words.map((word) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : shQuote(word))).join(' ');
}

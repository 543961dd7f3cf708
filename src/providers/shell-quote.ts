/**
 * The ONLY place an argv becomes shell text: job scripts run the (launched) manager command through
 * a shell, so each word is quoted to reach the program exactly as it was in the array.
 */

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One word, POSIX-sh quoted: bare when it has only safe characters, else in single quotes. */
export function shellQuoteWord(word: string): string {
  if (word.length > 0 && SAFE_WORD.test(word)) return word;
  if (word.includes("\0")) throw new TypeError("a shell word cannot contain a NUL byte");
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

/** A command line that a POSIX shell splits back into exactly `argv`. */
export function shellQuote(argv: readonly string[]): string {
  return argv.map(shellQuoteWord).join(" ");
}

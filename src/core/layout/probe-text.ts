// Reading the text the probe collects (command output, /proc files): shared by the layout and mount parsers.

/** JSON output of a probe command, or null (with a warning) when it is missing or not JSON. */
export function parseJson<T>(text: string | null, what: string, warnings: string[]): T | null {
  if (text === null || text.trim() === '') return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    warnings.push(`${what} output is not JSON; its part of the layout is empty`);
    return null;
  }
}

export function toInt(value: number | string | null | undefined, fallback = 0): number {
  const n = typeof value === 'string' ? Number.parseInt(value, 10) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
}

/** fstab and /proc/swaps write spaces in paths as \040. */
export function unescapeOctal(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

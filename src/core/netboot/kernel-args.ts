/** The key of a kernel argument: `console` for `console=ttyS0`, the whole word for a flag such as `quiet`. */
const keyOf = (arg: string): string => arg.split('=', 1)[0]!;

/**
 * Merges kernel argument lists, later lists winning: an argument replaces an earlier one with the same key
 * in place (so `console=tty0` then `console=ttyS0` gives `console=ttyS0`), a new key is appended. The order
 * used for a host: installer defaults, then `kernelArgs.all`, then each of its groups in the client's group
 * order, then `kernelArgs.hosts[host]`. A `-key` word removes an earlier key.
 */
export function mergeKernelArgs(...lists: readonly (readonly string[])[]): string[] {
  const merged = new Map<string, string>();
  for (const list of lists) {
    for (const arg of list) {
      if (arg.startsWith('-') && arg.length > 1 && !arg.includes('=')) {
        merged.delete(arg.slice(1));
        continue;
      }
      merged.set(keyOf(arg), arg);
    }
  }
  return [...merged.values()];
}

/**
 * Pre- and post-install scripts are files `NN<class>.<anything>` (or just `NN<class>`) under
 * hooks/pre-install and hooks/post-install (copied into each scripts generation), where the class is `all`, the image, one of the
 * host's groups or the host itself. They run in name order (byte order, so `10` before `9x`).
 */
export function selectHooks({ names, image, groups, host }: { names: readonly string[]; image: string; groups: readonly string[]; host: string }): string[] {
  const classes = ['all', image, ...groups, host];
  return names
    .filter((name) => {
      const match = /^\d{2}(.+)$/.exec(name);
      const rest = match?.[1];
      return rest !== undefined && classes.some((c) => rest === c || rest.startsWith(`${c}.`));
    })
    .sort(compareBytes);
}

export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A hook name safe to pass around the script unquoted and to fetch over rsync. */
export function isHookName(name: string): boolean {
  return /^\d{2}[A-Za-z0-9._+-]+$/.test(name) && !name.includes('..');
}

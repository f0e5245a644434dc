import type { ClientRecord } from '../clients/client-record.js';

/** What happens when a MAC the boot server does not know asks for its boot script. */
export type BindDecision =
  /** The MAC already belongs to a host (bound earlier, or defined by hand): that host answers. */
  | { kind: 'known'; host: string }
  /** The first waiting host takes the MAC: its new record. */
  | { kind: 'bind'; host: string; record: ClientRecord }
  /** No host waits: the MAC is recorded as unknown. */
  | { kind: 'unknown' };

/**
 * Host names in natural order: digit runs compare as numbers, so node2 comes before node10 and
 * node001 before node002 (the order the range was written in).
 */
export function naturalCompare(a: string, b: string): number {
  const split = (s: string) => s.match(/\d+|\D+/g) ?? [];
  const left = split(a);
  const right = split(b);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] as string;
    const y = right[i] as string;
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      const diff = Number(x) - Number(y);
      if (diff !== 0) return diff;
      // Same number, other padding (node01 and node1): the shorter first, for a total order.
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

/**
 * Decides the binding of one MAC: its own host when it has one, else the first host waiting for discovery in
 * natural order, which gets the MAC, stops waiting and is armed for install. Pure: the caller runs it inside
 * the registry's write transaction, so two machines asking at once never get the same host.
 */
export function decideBinding({ mac, holder, waiting }: { mac: string; holder: ClientRecord | undefined; waiting: readonly ClientRecord[] }): BindDecision {
  if (holder) return { kind: 'known', host: holder.hostname };
  const first = [...waiting].filter((c) => c.discover === true && c.macs.length === 0).sort((a, b) => naturalCompare(a.hostname, b.hostname))[0];
  if (!first) return { kind: 'unknown' };
  return { kind: 'bind', host: first.hostname, record: { ...first, macs: [mac], discover: false, bootMode: 'install' } };
}

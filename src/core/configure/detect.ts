import type { Footprint } from './footprint.js';
import type { StageName } from './stages.js';
import { expandGlob, type TreeReader } from './tree.js';

function present(tree: TreeReader, pattern: string): boolean {
  return expandGlob(tree, pattern).length > 0;
}

export function footprintMatches(tree: TreeReader, footprint: Footprint): boolean {
  const { all = [], any = [], none = [] } = footprint.detect;
  return (
    all.every((path) => present(tree, path)) &&
    (any.length === 0 || any.some((path) => present(tree, path))) &&
    !none.some((path) => present(tree, path))
  );
}

/**
 * The footprints that apply to a tree, in catalog order: every match, except that within a slot
 * only the highest priority match survives (the first in the catalog on a tie).
 */
export function detectFootprints(options: { tree: TreeReader; catalog: readonly Footprint[]; stages?: readonly StageName[] }): Footprint[] {
  const { tree, catalog, stages } = options;
  const matched = catalog.filter((fp) => (!stages || stages.includes(fp.stage)) && footprintMatches(tree, fp));
  const winners = new Map<string, Footprint>();
  for (const fp of matched) {
    if (!fp.slot) continue;
    const best = winners.get(fp.slot);
    if (!best || (fp.priority ?? 0) > (best.priority ?? 0)) winners.set(fp.slot, fp);
  }
  return matched.filter((fp) => !fp.slot || winners.get(fp.slot) === fp);
}

const slotDescriptions = new WeakMap<readonly Footprint[], Map<string, string>>();

/** "ifupdown, netplan or ifcfg": the labels of a slot's footprints, once each, in catalog order. */
export function describeSlot(catalog: readonly Footprint[], slot: string): string {
  let known = slotDescriptions.get(catalog);
  if (!known) slotDescriptions.set(catalog, (known = new Map()));
  let description = known.get(slot);
  if (description === undefined) known.set(slot, (description = labelsOf(catalog, slot)));
  return description;
}

function labelsOf(catalog: readonly Footprint[], slot: string): string {
  const labels = [...new Set(catalog.filter((fp) => fp.slot === slot).map((fp) => fp.label))];
  if (labels.length <= 1) return labels[0] ?? slot;
  return `${labels.slice(0, -1).join(', ')} or ${labels.at(-1)}`;
}

import type { DiskLayout } from './disk-layout.js';
import { checkImageFits, type FitProblem, type MountUsage } from './image-fit.js';
import { MIB, minimumDiskMiB, planPartitions, type PartitionPlan } from './partition-plan.js';

/** Past this a larger disk changes nothing: 64 TiB. */
const LARGEST_MIB = 64 * 1024 * 1024;

export interface DiskFit {
  plan: PartitionPlan;
  /** Disk sizes in bytes, per layout disk. */
  sizes: number[];
  /** Empty when everything fits. */
  problems: FitProblem[];
  /** True when the sizes were grown from the smallest the layout allows, for the image to fit. */
  grown: boolean;
}

/**
 * Plans the layout on disks of the given sizes (bytes per layout disk; a missing one is the smallest the
 * layout allows) and checks the image against it. With `usage` and disks left unsized, `rest` and shares
 * depend on the disk: those disks are grown together to the smallest size the image fits (by bisection;
 * fitting only improves with size). If nothing fits even on the largest disks, the problems are those of the
 * largest, i.e. the fixed sizes that are too small.
 */
export function fitDisks({ layout, given, usage }: { layout: DiskLayout; given: readonly (number | undefined)[]; usage?: ReadonlyMap<string, MountUsage> }): DiskFit {
  const minimum = layout.disks.map((disk) => minimumDiskMiB(disk) * MIB + 2 * MIB);
  const sizesAt = (mib: number) => layout.disks.map((_, i) => given[i] ?? Math.max(minimum[i] as number, mib * MIB));
  const attempt = (sizes: number[]) => {
    const plan = planPartitions({ layout, disks: sizes.map((sizeBytes, i) => ({ path: layout.disks[i]?.path ?? `/dev/disk${i}`, sizeBytes })) });
    return { plan, sizes, problems: usage ? checkImageFits(plan, usage) : [] };
  };
  const first = attempt(sizesAt(0));
  const growable = layout.disks.some((_, i) => given[i] === undefined);
  if (first.problems.length === 0 || !growable) return { ...first, grown: false };
  const largest = attempt(sizesAt(LARGEST_MIB));
  if (largest.problems.length > 0) return { ...largest, grown: true };
  let lo = 0;
  let hi = LARGEST_MIB;
  let best = largest;
  for (let round = 0; round < 40 && hi - lo > 1; round++) {
    const mid = Math.floor((lo + hi) / 2);
    const tried = attempt(sizesAt(mid));
    if (tried.problems.length === 0) {
      hi = mid;
      best = tried;
    } else lo = mid;
  }
  return { ...best, grown: true };
}

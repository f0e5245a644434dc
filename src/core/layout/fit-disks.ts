import { UserError } from '../errors.js';
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
  /** True when the sizes were grown past the smallest the partitions allow (for volume groups or the image). */
  grown: boolean;
}

type Attempt = { plan: PartitionPlan; sizes: number[]; problems: FitProblem[] } | { error: UserError };

const fits = (attempt: Attempt): attempt is Extract<Attempt, { plan: PartitionPlan }> => !('error' in attempt) && attempt.problems.length === 0;

/**
 * Plans the layout on disks of the given sizes (bytes per layout disk; a missing one is the smallest its
 * partitions allow) and checks the image against it. `rest` and shares depend on the disk: when the plan does
 * not fit (a volume group, or the image, needs more than the smallest disk gives), the disks left unsized are
 * grown together to the smallest size that fits, by bisection (fitting only improves with size). When nothing
 * fits even on the largest disks, the problems (or the refusal) are those of the largest: the fixed sizes.
 */
export function fitDisks({ layout, given, usage }: { layout: DiskLayout; given: readonly (number | undefined)[]; usage?: ReadonlyMap<string, MountUsage> }): DiskFit {
  const minimum = layout.disks.map((disk) => minimumDiskMiB(disk) * MIB + 2 * MIB);
  const sizesAt = (mib: number) => layout.disks.map((_, i) => given[i] ?? Math.max(minimum[i] as number, mib * MIB));
  const attempt = (sizes: number[]): Attempt => {
    try {
      const plan = planPartitions({ layout, disks: sizes.map((sizeBytes, i) => ({ path: layout.disks[i]?.path ?? `/dev/disk${i}`, sizeBytes })) });
      return { plan, sizes, problems: usage ? checkImageFits(plan, usage) : [] };
    } catch (error) {
      if (error instanceof UserError) return { error };
      throw error;
    }
  };
  const settle = (result: Attempt, grown: boolean): DiskFit => {
    if ('error' in result) throw result.error;
    return { ...result, grown };
  };
  const first = attempt(sizesAt(0));
  const growable = layout.disks.some((_, i) => given[i] === undefined);
  if (fits(first) || !growable) return settle(first, false);
  const largest = attempt(sizesAt(LARGEST_MIB));
  if (!fits(largest)) return settle(largest, true);
  let lo = 0;
  let hi = LARGEST_MIB;
  let best: Attempt = largest;
  for (let round = 0; round < 40 && hi - lo > 1; round++) {
    const mid = Math.floor((lo + hi) / 2);
    const tried = attempt(sizesAt(mid));
    if (fits(tried)) {
      hi = mid;
      best = tried;
    } else lo = mid;
  }
  return settle(best, true);
}

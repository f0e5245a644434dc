/**
 * Runs `work` for each item with at most `parallel` at once. Once `maxFailures` items have failed, no new
 * item starts (those already running finish): a bad image reaches at most the hosts already started. One
 * failure never stops the others. Returns each item's result, in the items' order; items never started get
 * `skipped(item)`.
 */
export async function runPool<T, R>(options: {
  items: readonly T[];
  parallel: number;
  maxFailures?: number;
  work: (item: T) => Promise<R>;
  failed: (result: R) => boolean;
  skipped: (item: T) => R;
  onStart?: (item: T) => void;
  onDone?: (item: T, result: R) => void;
}): Promise<R[]> {
  const { items, parallel, maxFailures, work, failed } = options;
  const results: (R | undefined)[] = new Array(items.length);
  let next = 0;
  let failures = 0;
  const stopped = () => maxFailures !== undefined && failures >= maxFailures;
  const lane = async (): Promise<void> => {
    while (next < items.length && !stopped()) {
      const index = next;
      next += 1;
      const item = items[index] as T;
      options.onStart?.(item);
      const result = await work(item);
      if (failed(result)) failures += 1;
      results[index] = result;
      options.onDone?.(item, result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, items.length)) }, lane));
  return items.map((item, index) => results[index] ?? options.skipped(item));
}

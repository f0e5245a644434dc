import { describe, expect, it } from 'vitest';
import { runPool } from '../../../src/infra/pushupdate/pool.js';

describe('the bounded pool', () => {
  it('never runs more than `parallel` at once, and a failure does not stop the others', async () => {
    let running = 0;
    let most = 0;
    const results = await runPool({
      items: [1, 2, 3, 4, 5, 6, 7],
      parallel: 3,
      work: async (n) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((done) => setImmediate(done));
        running -= 1;
        return n % 2 === 0 ? 'failed' : 'ok';
      },
      failed: (r) => r === 'failed',
      skipped: () => 'skipped',
    });
    expect(most).toBe(3);
    expect(results).toEqual(['ok', 'failed', 'ok', 'failed', 'ok', 'failed', 'ok']);
  });

  it('--max-failures: once that many failed, starts no new item', async () => {
    const started: number[] = [];
    const results = await runPool({
      items: [1, 2, 3, 4, 5, 6],
      parallel: 2,
      maxFailures: 1,
      work: async (n) => {
        started.push(n);
        await new Promise((done) => setImmediate(done));
        return 'failed';
      },
      failed: (r) => r === 'failed',
      skipped: () => 'skipped',
    });
    expect(started).toEqual([1, 2]);
    expect(results).toEqual(['failed', 'failed', 'skipped', 'skipped', 'skipped', 'skipped']);
  });
});

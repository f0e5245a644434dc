import { describe, expect, it } from 'vitest';
import { parseVersionNumber, planGc, planRollback } from '../../../src/core/images/version-plans.js';

describe('planRollback', () => {
  it('goes to the newest version older than the current one', () => {
    expect(planRollback({ image: 'i', numbers: [1, 2, 5, 7], current: 7 })).toBe(5);
    expect(planRollback({ image: 'i', numbers: [1, 2, 5, 7], current: 2 })).toBe(1);
  });
  it('goes to a named version, forward as well as back', () => {
    expect(planRollback({ image: 'i', numbers: [1, 2, 3], current: 1, target: 3 })).toBe(3);
  });
  it('refuses a missing version, the current one, and the oldest with nothing before it', () => {
    expect(() => planRollback({ image: 'i', numbers: [1, 2], current: 2, target: 4 })).toThrow(/image i has no version 4 \(it has 1, 2\)/);
    expect(() => planRollback({ image: 'i', numbers: [1, 2], current: 2, target: 2 })).toThrow(/already at version 2/);
    expect(() => planRollback({ image: 'i', numbers: [3, 4], current: 3 })).toThrow(/no version older than 3/);
  });
});

describe('planGc', () => {
  it('removes the oldest beyond N and never the current one', () => {
    expect(planGc({ numbers: [1, 2, 3, 4, 5], current: 5, keep: 2 })).toEqual([1, 2, 3]);
    expect(planGc({ numbers: [1, 2, 3, 4, 5], current: 1, keep: 2 })).toEqual([2, 3]);
    expect(planGc({ numbers: [1, 2], current: 2, keep: 5 })).toEqual([]);
  });
  it('refuses a keep below 1', () => {
    expect(() => planGc({ numbers: [1], current: 1, keep: 0 })).toThrow(/--keep must be/);
    expect(() => planGc({ numbers: [1], current: 1, keep: Number.NaN })).toThrow(/--keep must be/);
  });
});

describe('parseVersionNumber', () => {
  it.each(['1', '42'])('reads %s', (text) => expect(parseVersionNumber(text)).toBe(Number(text)));
  it.each(['0', '-1', '1.5', 'x', '', '01'])('refuses %j', (text) => expect(() => parseVersionNumber(text)).toThrow(/invalid version/));
});

import { describe, expect, it } from 'vitest';
import { DebootstrapOutput, type StepProgress } from '../../../src/infra/images/debootstrap-output.js';

describe('DebootstrapOutput', () => {
  it('gives the reason of a failure from its E: line, across split chunks', () => {
    const output = new DebootstrapOutput();
    output.push('I: Retrieving InRelease \nI: Retrieving Release \nE: Failed getting release ');
    output.push('file http://127.0.0.1:1/dists/bookworm/Release\n');
    expect(output.reason()).toBe('Failed getting release file http://127.0.0.1:1/dists/bookworm/Release');
  });

  it('turns I: lines into a rising percent, stage by stage', () => {
    const seen: StepProgress[] = [];
    const output = new DebootstrapOutput((p) => seen.push(p));
    const packages = ['base-files', 'bash', 'coreutils'];
    output.push('I: Retrieving Release \n');
    for (const p of packages) output.push(`I: Retrieving ${p} 1.0\nI: Validating ${p} 1.0\n`);
    for (const p of packages) output.push(`I: Extracting ${p}...\n`);
    for (const p of packages) output.push(`I: Unpacking ${p}...\nI: Configuring ${p}...\n`);
    const percents = seen.map((p) => p.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.at(-1)).toBe(99);
    expect(seen.at(-1)?.label).toBe('configuring 3/3 (coreutils)');
    expect(seen.some((p) => p.label === 'retrieving 2 (bash)')).toBe(true);
    expect(output.reason()).toBeNull();
  });
});

// si layout show|set|check: the install layout of an image, validated with the path of each problem.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dumpRegistry, si, siOk } from '../support/si.js';
import { makeImage } from '../support/images.js';

const GPT = {
  disks: [{ select: 'first', table: 'gpt', partitions: [{ size: '1MiB', type: 'bios_grub' }, { size: '20%', type: 'swap', filesystem: { type: 'swap' } }, { size: 'rest', filesystem: { type: 'ext4', mount: '/' } }] }],
};

describe('si layout', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'si-layout-'));
    makeImage(home, 'base');
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('falls back to the standard layout for an image without a captured one, and sets and plans a new one', async () => {
    const shown = await siOk<{ source: string; layout: { disks: { table: string }[] } }>(home, ['layout', 'show', '--image', 'base', '--json']);
    expect(shown.source).toBe('standard');
    const file = join(home, 'gpt.json');
    writeFileSync(file, JSON.stringify(GPT));
    await siOk(home, ['layout', 'set', '--image', 'base', '--file', file]);
    expect((await siOk<{ source: string }>(home, ['layout', 'show', '--image', 'base', '--json'])).source).toBe('set');
    const checked = await siOk<{ plan: { disks: { partitions: { startMiB: number; sizeMiB: number }[] }[] } }>(home, [
      'layout', 'check', '--image', 'base', '--disk-size', '10GiB', '--json',
    ]);
    // 10 GiB disk: 10240 MiB, GPT usable 10238 MiB from 1 MiB; 20% of it is 2047 MiB.
    expect(checked.plan.disks[0]?.partitions.map((p) => [p.startMiB, p.sizeMiB])).toEqual([
      [1, 1],
      [2, 2047],
      [2049, 8190],
    ]);
  });

  it('refuses a layout that does not parse, does not validate, or does not fit, naming where', async () => {
    const bad = join(home, 'bad.json');
    const cases: [string, RegExp][] = [
      ['{ "disks": [ }', /bad\.json: line 1, column 1\d: .*fix the JSON syntax/],
      [JSON.stringify({ disks: [{ select: 'first', table: 'gpt', partitions: [{ size: '12XB', filesystem: { type: 'ext4', mount: '/' } }] }] }), /disks\[0\]\.partitions\[0\]\.size: "12XB" is not a size; use 512MiB, 20GiB, 10% or rest/],
    ];
    for (const [text, message] of cases) {
      writeFileSync(bad, text);
      const before = dumpRegistry(home);
      const result = await si(home, ['layout', 'set', '--image', 'base', '--file', bad]);
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr.trim()).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(dumpRegistry(home)).toEqual(before);
    }
    writeFileSync(bad, JSON.stringify({ disks: [{ select: 'first', table: 'gpt', partitions: [{ size: '50GiB', filesystem: { type: 'ext4', mount: '/' } }] }] }));
    const result = await si(home, ['layout', 'check', '--file', bad, '--disk-size', '20GiB']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/needs|larger|fit/);
  });
});

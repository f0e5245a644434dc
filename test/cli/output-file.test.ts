// --output naming a directory or a missing parent: one line, and nothing left behind (no temporary files).
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../support/images.js';
import { si, siOk } from '../support/si.js';

describe('commands that write a file the user names', () => {
  let home: string;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'si-output-'));
    home = join(work, 'home');
    makeImage(home, 'compute');
    await siOk(home, ['addclients', '--hosts', 'node[01-03]', '--ip', '10.9.0.1', '--image', 'compute']);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each([
    ['client export', ['client', 'export', '--output']],
    ['prepareclient', ['prepareclient', '--output']],
  ])('%s --output DIR: one line naming DIR, exit 2, the directory left as it was', async (_, args) => {
    const dir = join(work, `dir-${args[0]}`);
    mkdirSync(dir);
    const result = await si(home, [...args, dir]);
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([`si: cannot write ${dir}: it is a directory; give a file name`]);
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(work).filter((name) => name.includes('si-new'))).toEqual([]);
  });

  it.each([
    ['client export', ['client', 'export', '--output']],
    ['prepareclient', ['prepareclient', '--output']],
  ])('%s --output into a missing directory: one line, nothing made', async (_, args) => {
    const target = join(work, 'missing', 'deeper', 'file');
    const result = await si(home, [...args, target]);
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^si: cannot write .*: the directory .* does not exist/)]);
    expect(readdirSync(work).includes('missing')).toBe(false);
  });
});

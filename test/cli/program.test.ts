// The command line itself: version, help, and what an unknown command does.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT, si } from '../support/si.js';

describe('si', () => {
  const home = mkdtempSync(join(tmpdir(), 'si-program-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('prints the version of package.json with --version and -V', async () => {
    const { version } = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = await si(home, [flag]);
      expect(result.exitCode).toBe(0);
      expect(result.stdout.trim()).toBe(version);
    }
  });

  it('refuses an unknown command with exit 2, names it, and creates nothing in the home', async () => {
    const result = await si(home, ['frobnicate']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(readdirSync(home)).toEqual([]);
  });
});

// The command line itself: version, help, and what an unknown command does.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capture } from '../../src/infra/run.js';
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

  it('starts without the CA bundle NODE_EXTRA_CA_CERTS names: node would read it first, si needs no TLS', async () => {
    // node warns when it cannot load the bundle; a si that skipped it has nothing to say.
    const result = await capture([join(PROJECT, 'bin/si'), '--version'], { env: { NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem' } });
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    const plainNode = await capture([process.execPath, '-e', '0'], { env: { NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem' } });
    expect(plainNode.stderr).toMatch(/extra certs/);
  });

  it('refuses an unknown command with exit 2, names it, and creates nothing in the home', async () => {
    const result = await si(home, ['frobnicate']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(readdirSync(home)).toEqual([]);
  });
});

// si prepareclient on this very machine: real lsblk, findmnt, /proc; the document validates.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capturedLayoutSchema } from '../../src/core/layout/captured.js';
import { si } from '../support/si.js';

describe('si prepareclient', () => {
  it('records this machine\'s layout in the file given, and --dry-run writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'si-prepare-'));
    try {
      const output = join(dir, 'etc/sisuite/layout.json');
      // A path whose directory does not exist is refused, and nothing is created on the way.
      const missing = await si(dir, ['prepareclient', '--output', output]);
      expect(missing.exitCode).toBe(2);
      expect(missing.stderr.trim().split('\n')).toHaveLength(1);
      expect(missing.stderr).toContain(`the directory ${join(dir, 'etc/sisuite')} does not exist`);
      expect(existsSync(join(dir, 'etc'))).toBe(false);
      mkdirSync(join(dir, 'etc/sisuite'), { recursive: true });
      const dry = await si(dir, ['prepareclient', '--output', output, '--dry-run', '--json']);
      expect(dry.exitCode, dry.stderr).toBe(0);
      expect(existsSync(output)).toBe(false);
      const written = await si(dir, ['prepareclient', '--output', output]);
      expect(written.exitCode, written.stderr).toBe(0);
      const layout = capturedLayoutSchema.parse(JSON.parse(readFileSync(output, 'utf8')));
      // What this machine has for sure: a mounted root, and its mount table read from findmnt.
      const root = layout.filesystems.find((f) => f.mountpoint === '/');
      expect(root?.local).toBe(true);
      expect(layout.filesystems.find((f) => f.mountpoint === '/proc')?.local).toBe(false);
      expect(layout.disks.length).toBeGreaterThan(0);
      expect(layout.hostname).toBe(readFileSync('/etc/hostname', 'utf8').trim());
      expect(written.stdout).toContain(`recorded the layout of ${layout.hostname} in ${output}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

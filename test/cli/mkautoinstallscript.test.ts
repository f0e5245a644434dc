// si mkautoinstallscript through the CLI: --dry-run prints the plan (which files a render writes, keeps and
// removes, each host's override order and hooks) and changes nothing; a hook left in the old place,
// scripts/pre-install, is moved to hooks/ and applies.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { materializeRoot } from '../fixtures/roots/materialize.js';
import { FIXTURE_ROOTS } from '../fixtures/roots/trees.js';
import { makeImageFromTree } from '../support/images.js';
import { si, siOk } from '../support/si.js';

interface Plan {
  dryRun: boolean;
  render: string[];
  keep: string[];
  remove: string[];
  hosts: { file: string; classes: string[]; overrides: string[]; preInstall: string[]; action: string }[];
}

describe('si mkautoinstallscript', () => {
  let work: string;
  let home: string;
  const listing = () => ({ link: readlinkSync(join(home, 'scripts')), generations: readdirSync(join(home, 'script-generations')).sort() });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'si-mkai-'));
    home = join(work, 'home');
    mkdirSync(home);
    makeImageFromTree(home, 'img', materializeRoot(FIXTURE_ROOTS[0]!, join(work, 'tree')));
    for (const tree of ['compute', 'gpu-drivers', 'mine']) mkdirSync(join(home, 'overrides', tree), { recursive: true });
    await siOk(home, ['group', 'add', 'compute', '--overrides', 'gpu-drivers']);
    await siOk(home, ['addclients', '--hosts', 'node[1-3]', '--ip', '10.9.0.11', '--image', 'img', '--group', 'compute']);
    await siOk(home, ['mkautoinstallscript', '--image', 'img']);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('prints the plan with --dry-run and changes nothing', async () => {
    await siOk(home, ['client', 'set', 'node2', '--domain', 'other.test']);
    await siOk(home, ['client', 'rm', 'node3']);
    const before = listing();
    const plan = await siOk<Plan>(home, ['mkautoinstallscript', '--image', 'img', '--dry-run', '--json']);
    expect(plan).toMatchObject({ dryRun: true, render: ['node2.sh'], keep: ['img.master', 'install.sh', 'node1.sh'], remove: ['node3.sh'] });
    expect(plan.hosts[0]).toMatchObject({ file: 'node1.sh', classes: ['compute', 'gpu-drivers'], overrides: ['compute', 'gpu-drivers'], action: 'keep' });
    const text = await siOk<string>(home, ['mkautoinstallscript', '--image', 'img', '--dry-run']);
    expect(text).toContain('img: would render 1 (written where the content differs), keep 3, remove 1; nothing changed (dry run)\n');
    expect(text).toContain('  remove node3.sh\n');
    expect(listing()).toEqual(before);
    expect(readdirSync(join(home, 'scripts'))).toContain('node3.sh');
  });

  it('moves a hook put in scripts/pre-install to hooks/, says so, and applies it', async () => {
    const old = join(home, 'scripts', 'pre-install', '10compute.sh');
    writeFileSync(old, '#!/bin/sh\necho compute\n');
    chmodSync(old, 0o755);
    const result = await si(home, ['mkautoinstallscript', '--image', 'img']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain(`note: moved scripts/pre-install/10compute.sh to hooks/pre-install/10compute.sh: hooks live in ${home}/hooks now`);
    expect(readFileSync(join(home, 'hooks/pre-install/10compute.sh'), 'utf8')).toBe('#!/bin/sh\necho compute\n');
    expect(readFileSync(join(home, 'scripts/pre-install/10compute.sh'), 'utf8')).toBe('#!/bin/sh\necho compute\n');
    expect(readFileSync(join(home, 'scripts/node1.sh'), 'utf8')).toContain("SI_PRE_INSTALL=10compute.sh\n");
    // Once moved, the next render has nothing to do.
    const again = await siOk<{ written: string[]; movedHooks: string[] }>(home, ['mkautoinstallscript', '--image', 'img', '--json']);
    expect(again).toMatchObject({ written: [], movedHooks: [] });
  });
});

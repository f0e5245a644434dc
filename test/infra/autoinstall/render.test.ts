import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homePaths, type HomePaths } from '../../../src/core/home.js';
import type { DiskLayout } from '../../../src/core/layout/disk-layout.js';
import { makeAutoinstallScripts } from '../../../src/infra/autoinstall/make-autoinstall-scripts.js';
import { capture } from '../../../src/infra/run.js';
import { createRenderer } from '../../../src/infra/templates.js';
import { materializeRoot } from '../../fixtures/roots/materialize.js';
import { FIXTURE_ROOTS } from '../../fixtures/roots/trees.js';
import { removeDir, tempDir } from '../configure/trees.js';
import { client, EFI_LAYOUT, GPT_LAYOUT, MBR_LAYOUT, RAID_LVM_LAYOUT } from './fixtures.js';

const LAYOUTS: [string, DiskLayout][] = [
  ['gpt', GPT_LAYOUT],
  ['mbr', MBR_LAYOUT],
  ['efi', EFI_LAYOUT],
  ['raid-lvm', RAID_LVM_LAYOUT],
];

async function checkShell(path: string): Promise<void> {
  for (const argv of [['sh', '-n', path], ['busybox', 'sh', '-n', path], ['shellcheck', '-s', 'sh', '-S', 'style', path]]) {
    const result = await capture(argv);
    expect(`${argv.join(' ')}: ${result.stdout}${result.stderr}`).toBe(`${argv.join(' ')}: `);
    expect(result.exitCode).toBe(0);
  }
}

describe.each(LAYOUTS)('scripts for the %s layout', (name, layout) => {
  let work: string;
  let paths: HomePaths;

  beforeAll(async () => {
    work = tempDir('si-ai-');
    paths = homePaths(join(work, 'home'));
    // A fixed home in the golden files: only the ssh transport's default path shows it.
    paths = { ...paths, home: '/var/lib/sisuite' , scripts: join(work, 'home/scripts'), templates: join(work, 'home/templates'), overrides: join(work, 'home/overrides') };
    const root = materializeRoot(FIXTURE_ROOTS[0]!, join(work, 'image'));
    mkdirSync(join(paths.scripts, 'pre-install'), { recursive: true });
    mkdirSync(join(paths.scripts, 'post-install'), { recursive: true });
    mkdirSync(join(paths.overrides, 'compute'), { recursive: true });
    for (const hook of ['pre-install/10all.sh', 'pre-install/20node001.sh', 'pre-install/30node002', 'post-install/50compute.sh', 'post-install/60bookworm.x']) {
      writeFileSync(join(paths.scripts, hook), '#!/bin/sh\necho hook\n');
      chmodSync(join(paths.scripts, hook), 0o755);
    }
    await makeAutoinstallScripts({ paths, image: 'bookworm', imageTree: root, layout, clients: [client(1), client(2, { groups: [] })], renderer: createRenderer() });
  });

  afterAll(() => removeDir(work));

  it('renders the golden master and host scripts', async () => {
    await expect(readFileSync(join(paths.scripts, 'bookworm.master'), 'utf8')).toMatchFileSnapshot(`golden/${name}.master`);
    await expect(readFileSync(join(paths.scripts, 'node001.sh'), 'utf8')).toMatchFileSnapshot(`golden/${name}.node001.sh`);
    // The same for every image.
    await expect(readFileSync(join(paths.scripts, 'install.sh'), 'utf8')).toMatchFileSnapshot('golden/install.sh');
    await expect(readFileSync(join(paths.scripts, 'hosts'), 'utf8')).toMatchFileSnapshot('golden/hosts');
  });

  it('renders scripts that pass sh -n and shellcheck', async () => {
    for (const file of ['bookworm.master', 'node001.sh', 'node002.sh', 'install.sh']) await checkShell(join(paths.scripts, file));
  });
});

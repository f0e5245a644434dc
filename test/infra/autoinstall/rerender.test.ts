// Re-rendering: only what changed is written, files no client needs are removed, other images' files stay.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { homePaths, type HomePaths } from '../../../src/core/home.js';
import { makeAutoinstallScripts, type MakeAutoinstallScriptsOptions } from '../../../src/infra/autoinstall/make-autoinstall-scripts.js';
import { createRenderer } from '../../../src/infra/templates.js';
import { materializeRoot } from '../../fixtures/roots/materialize.js';
import { FIXTURE_ROOTS } from '../../fixtures/roots/trees.js';
import { removeDir, tempDir } from '../configure/trees.js';
import { client, GPT_LAYOUT, MBR_LAYOUT } from './fixtures.js';

describe('re-rendering the autoinstall scripts', () => {
  let work: string;
  let paths: HomePaths;
  let base: MakeAutoinstallScriptsOptions;
  const renderer = createRenderer();

  beforeEach(() => {
    work = tempDir('si-ai-re-');
    paths = homePaths(join(work, 'home'));
    const root = materializeRoot(FIXTURE_ROOTS[0]!, join(work, 'image'));
    base = { paths, image: 'bookworm', imageTree: root, layout: GPT_LAYOUT, clients: [1, 2, 3].map((n) => client(n)), renderer };
  });
  afterEach(() => removeDir(work));

  const mtimes = () => Object.fromEntries(['bookworm.master', 'node001.sh', 'node002.sh', 'node003.sh', 'hosts', 'install.sh'].map((f) => [f, statSync(join(paths.scripts, f)).mtimeMs]));

  it('writes everything once, then nothing when nothing changed', async () => {
    const first = await makeAutoinstallScripts(base);
    expect(first.written.sort()).toEqual(['bookworm.master', 'hosts', 'install.sh', 'node001.sh', 'node002.sh', 'node003.sh']);
    const before = mtimes();
    const again = await makeAutoinstallScripts(base);
    expect(again.written).toEqual([]);
    expect(again.removed).toEqual([]);
    expect(again.unchanged.sort()).toEqual(first.written.sort());
    expect(mtimes()).toEqual(before);
  });

  it('rewrites only the changed client, removes a dropped one, and keeps a file it did not write', async () => {
    await makeAutoinstallScripts(base);
    writeFileSync(join(paths.scripts, 'site-notes.txt'), 'mine\n');
    const result = await makeAutoinstallScripts({ ...base, clients: [client(1), client(2, { ip: '10.20.9.9' })] });
    expect(result.written.sort()).toEqual(['hosts', 'node002.sh']);
    expect(result.removed).toEqual(['node003.sh']);
    expect(existsSync(join(paths.scripts, 'node003.sh'))).toBe(false);
    expect(readFileSync(join(paths.scripts, 'node002.sh'), 'utf8')).toContain("SI_HOST_IP=10.20.9.9\n");
    expect(readFileSync(join(paths.scripts, 'site-notes.txt'), 'utf8')).toBe('mine\n');
  });

  it('re-renders the hosts a new hook applies to, every host when the image or the layout changes, and a file deleted by hand', async () => {
    await makeAutoinstallScripts(base);
    mkdirSync(join(paths.home, 'hooks/post-install'), { recursive: true });
    writeFileSync(join(paths.home, 'hooks/post-install/10node002.sh'), '#!/bin/sh\n');
    expect((await makeAutoinstallScripts(base)).written).toEqual(['node002.sh', 'post-install/10node002.sh']);

    writeFileSync(join(base.imageTree, 'etc/hostname'), 'changed golden\n');
    writeFileSync(join(base.imageTree, 'etc/network/interfaces.d/eth9'), 'iface eth9 inet dhcp\n');
    expect((await makeAutoinstallScripts(base)).written.sort()).toEqual(['node001.sh', 'node002.sh', 'node003.sh']);

    expect((await makeAutoinstallScripts({ ...base, layout: MBR_LAYOUT })).written.sort()).toEqual(['bookworm.master', 'node001.sh', 'node002.sh', 'node003.sh']);
    writeFileSync(join(paths.scripts, 'node001.sh'), 'tampered');
    expect((await makeAutoinstallScripts({ ...base, layout: MBR_LAYOUT })).written).toEqual(['node001.sh']);
  });

  it("keeps another image's scripts and host-table lines", async () => {
    await makeAutoinstallScripts(base);
    const other = await makeAutoinstallScripts({ ...base, image: 'other', clients: [client(9, { image: 'other' })] });
    expect(other.removed).toEqual([]);
    expect(other.written.sort()).toEqual(['hosts', 'node009.sh', 'other.master']);
    expect(readFileSync(join(paths.scripts, 'hosts'), 'utf8').split('\n').filter((l) => /^node/.test(l)).map((l) => l.split(' ')[3])).toEqual(['bookworm', 'bookworm', 'bookworm', 'other']);
    expect((await makeAutoinstallScripts(base)).written).toEqual([]);
    await expect(makeAutoinstallScripts({ ...base, clients: [client(9, { image: 'other' })] })).rejects.toThrow(/client node009 is installed from image other, not bookworm/);
  });
});

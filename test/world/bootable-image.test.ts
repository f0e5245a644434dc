// The bootable golden client captured by the real si getimage: the image VM install tests start from.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { siOk } from '../support/si.js';
import { bootableImage } from './bootable-image.js';
import { treeKernel } from './bootable-golden.js';

describe('bootableImage', () => {
  it('captures the bootable tree into SI_HOME as image golden, kernel, GRUB defaults and host keys included', async () => {
    const work = await mkdtemp(join(tmpdir(), 'si-bootable-image-test-'));
    try {
      const home = join(work, 'home');
      const image = await bootableImage({ siHome: home });
      process.stdout.write(`bootableImage: extract ${(image.timings.extractMs / 1000).toFixed(1)} s, si getimage ${(image.timings.captureMs / 1000).toFixed(1)} s\n`);
      expect({ name: image.name, version: image.version }).toEqual({ name: 'golden', version: 1 });
      const images = await siOk<{ name: string }[]>(home, ['image', 'list', '--json']);
      expect(images.map((entry) => entry.name)).toEqual(['golden']);
      const { kernel, initrd } = await treeKernel(image.root);
      expect(existsSync(kernel) && existsSync(initrd)).toBe(true);
      expect(await readFile(join(image.root, 'etc/default/grub'), 'utf8')).toMatch(/^GRUB_TERMINAL=serial$/m);
      expect((await readFile(join(image.root, 'etc/hostname'), 'utf8')).trim()).toBe(image.goldenHostname);
      // The golden client's host keys travel with the image; the configurator must replace them per host.
      const captured = (await readFile(join(image.root, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8')).split(/\s+/).slice(0, 2).join(' ');
      expect(image.goldenHostKeys).toContain(captured);
      expect(existsSync(join(image.root, 'etc/sisuite/layout.json'))).toBe(true);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

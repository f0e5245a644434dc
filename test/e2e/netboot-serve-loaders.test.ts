// The boot loaders si netboot serve puts into the TFTP root: copied when missing, a site's own copy kept, a
// missing package named in one line, and the boot/ link PXELINUX loads the installer through.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOOT_LOADERS } from '../../src/core/netboot/serve-plan.js';
import { installBootLoaders } from '../../src/infra/netboot/serve-host.js';

describe('boot loaders in the TFTP root', () => {
  let work: string;
  let tftp: string;
  let boot: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'si-serve-loaders-'));
    tftp = path.join(work, 'home/tftpboot');
    boot = path.join(work, 'home/boot');
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  it('copies every loader from its Debian package once, keeps a site copy, links boot/', () => {
    fs.mkdirSync(tftp, { recursive: true });
    fs.writeFileSync(path.join(tftp, 'pxelinux.0'), 'the site own build');
    expect(installBootLoaders(tftp, boot)).toEqual(BOOT_LOADERS.map((l) => l.file).filter((f) => f !== 'pxelinux.0'));
    for (const loader of BOOT_LOADERS.filter((l) => l.file !== 'pxelinux.0')) {
      expect(fs.readFileSync(path.join(tftp, loader.file)).equals(fs.readFileSync(loader.source)), loader.file).toBe(true);
    }
    expect(fs.readFileSync(path.join(tftp, 'pxelinux.0'), 'utf8')).toBe('the site own build');
    expect(fs.readlinkSync(path.join(tftp, 'boot'))).toBe('../boot');
    expect(installBootLoaders(tftp, boot)).toEqual([]);
  });

  it('a loader whose package is not installed is one line naming the package', () => {
    const missing = [{ file: 'undionly.kpxe', source: path.join(work, 'nowhere/undionly.kpxe'), pkg: 'ipxe' }];
    expect(() => installBootLoaders(tftp, boot, missing)).toThrow(`${path.join(work, 'nowhere/undionly.kpxe')} is missing: install the Debian package ipxe (apt-get install ipxe), or put undionly.kpxe into ${tftp} yourself`);
    expect(fs.existsSync(path.join(tftp, 'undionly.kpxe'))).toBe(false);
  });
});

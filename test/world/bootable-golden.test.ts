// The bootable golden tree: built once per machine from the apt sources, then extracted from its tarball.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODULES } from '../../src/core/installer/contents.js';
import { run } from '../../src/infra/run.js';
import { bootableCachePath, bootableGoldenTree, GOLDEN_HOSTNAME, treeKernel } from './bootable-golden.js';

describe('bootableGoldenTree', () => {
  it('holds a kernel with its initramfs (RAID and LVM in it), both GRUB platforms, sshd, and a serial-console GRUB default', async () => {
    const dest = await mkdtemp(join(tmpdir(), 'si-bootable-'));
    try {
      const started = Date.now();
      await bootableGoldenTree(dest);
      const tarball = await stat(bootableCachePath());
      process.stdout.write(`bootableGoldenTree: ${((Date.now() - started) / 1000).toFixed(1)} s, tarball ${Math.round(tarball.size / 1e6)} MB\n`);
      const { kernel, initrd } = await treeKernel(dest);
      for (const path of ['usr/sbin/sshd', 'usr/bin/rsync', 'sbin/mdadm', 'sbin/lvm', 'usr/sbin/grub-install', 'lib/systemd/systemd', 'sbin/dhclient', 'sbin/ifup']) {
        expect(existsSync(join(dest, path)), path).toBe(true);
      }
      expect(existsSync(join(dest, 'usr/lib/grub/i386-pc/boot.img'))).toBe(true);
      expect(existsSync(join(dest, 'usr/lib/grub/x86_64-efi/normal.mod'))).toBe(true);
      expect(existsSync(kernel)).toBe(true);
      // The initramfs carries md and dm (mdadm's and lvm2's hooks) and the virtio disk: a RAID1 + LVM root
      // boots without rebuilding it in the VM (far too slow under TCG). It stays small: GRUB reads it through
      // the BIOS at a few MB/s.
      expect((await stat(initrd)).size).toBeLessThan(16e6);
      // The tree's own lsinitramfs (initramfs-tools), chrooted: the host need not have it.
      const { stdout: listing } = await run(['chroot', dest, 'lsinitramfs', initrd.slice(dest.length)], { timeout: 120_000 });
      for (const piece of ['/sbin/mdadm', '/sbin/lvm', 'raid1.ko', 'dm-mod.ko', 'virtio_blk.ko', 'ext4.ko']) {
        expect(listing, piece).toContain(piece);
      }
      // Trimmed to what a QEMU guest and an installer built from this kernel load: every module of the
      // installer's list resolves through the trimmed tree's own modules.dep; vendors' adapters are gone.
      const version = kernel.slice(kernel.lastIndexOf('vmlinuz-') + 'vmlinuz-'.length);
      for (const name of MODULES) {
        const resolved = await run(['chroot', dest, 'modprobe', '--show-depends', '--set-version', version, name]);
        expect(resolved.stdout, name).toMatch(/^insmod /m);
      }
      expect(existsSync(join(dest, 'usr/lib/modules', version, 'kernel/drivers/net/ethernet/broadcom'))).toBe(false);
      const grub = await readFile(join(dest, 'etc/default/grub'), 'utf8');
      expect(grub).toMatch(/^GRUB_TERMINAL=serial$/m);
      expect(grub).toMatch(/^GRUB_TIMEOUT=1$/m);
      expect(grub).toMatch(/^GRUB_CMDLINE_LINUX=".*console=ttyS0/m);
      expect((await readFile(join(dest, 'etc/hostname'), 'utf8')).trim()).toBe(GOLDEN_HOSTNAME);
      expect(existsSync(join(dest, 'etc/ssh/ssh_host_ed25519_key'))).toBe(true);
    } finally {
      await rm(dest, { recursive: true, force: true });
    }
  });
});

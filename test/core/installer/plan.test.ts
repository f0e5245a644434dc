import { describe, expect, it } from 'vitest';
import { followDependency, MODULES } from '../../../src/core/installer/contents.js';
import {
  archiveOrder,
  chooseImageKernel,
  debFileName,
  DEFAULT_EPOCH,
  kernelPackageOf,
  parseAptDepends,
  parseAptShow,
  parseEpoch,
  parseKernelOption,
  parseShowDepends,
  planInstaller,
} from '../../../src/core/installer/plan.js';

describe('installer plan', () => {
  it('names the flavor after the kernel source and places it under boot/x86_64', () => {
    expect(planInstaller({ kernel: parseKernelOption(undefined) })).toMatchObject({ flavor: 'debian', outputDir: 'boot/x86_64/debian', sourceDateEpoch: DEFAULT_EPOCH });
    expect(planInstaller({ kernel: parseKernelOption('image:web.2') })).toMatchObject({ flavor: 'image-web.2', outputDir: 'boot/x86_64/image-web.2' });
  });

  it('carries the tools and the storage, network and file-system drivers', () => {
    const plan = planInstaller({ kernel: { kind: 'debian' } });
    for (const program of ['busybox', 'rsync', 'sfdisk', 'mdadm', 'lvm', 'mke2fs', 'mkfs.xfs', 'mkfs.fat', 'grub-install', 'ssh']) expect(plan.programs).toContain(program);
    for (const module of ['virtio_net', 'virtio_blk', 'virtio_pci', 'virtio_scsi', 'e1000', 'ahci', 'nvme', 'ext4', 'xfs', 'btrfs', 'vfat', 'nls_cp437', 'nls_ascii', 'raid1', 'md_mod', 'dm_mod']) {
      expect(MODULES).toContain(module);
    }
    expect(plan.links.sh).toBe('dash');
  });

  it('refuses an unknown kernel source, a bad image name and a bad SOURCE_DATE_EPOCH in one line', () => {
    expect(() => parseKernelOption('vendor')).toThrow('invalid --kernel "vendor": give debian or image:NAME');
    expect(() => parseKernelOption('image:../etc')).toThrow(/invalid image name/);
    expect(() => parseEpoch('yesterday')).toThrow(/invalid SOURCE_DATE_EPOCH/);
    expect(parseEpoch('1700000000')).toBe(1_700_000_000);
  });

  it('follows library packages only when collecting dependencies', () => {
    expect(['libc6', 'libssl3', 'zlib1g'].filter(followDependency)).toEqual(['libc6', 'libssl3', 'zlib1g']);
    expect(['perl-base', 'libperl5.36', 'libpython3.11-minimal', 'debconf', 'adduser', 'libicu72'].filter(followDependency)).toEqual([]);
  });

  it('reads apt-cache depends, show and the kernel package behind linux-image-amd64', () => {
    const depends = parseAptDepends('rsync\n  Depends: libacl1\n  Depends: <perl:any>\n  PreDepends: init-system-helpers\n |Depends: libc6\n  Suggests: openssh-client\nlibacl1\n  Depends: libc6\n');
    expect(depends.get('rsync')).toEqual(['libacl1', 'init-system-helpers', 'libc6']);
    expect(depends.get('libacl1')).toEqual(['libc6']);
    const shown = parseAptShow('Package: busybox-static\nVersion: 1:1.35.0-4\nArchitecture: amd64\n\nPackage: rsync\nVersion: 3.2.7-1\nArchitecture: amd64\n');
    expect(shown.map(debFileName)).toEqual(['busybox-static_1%3a1.35.0-4_amd64.deb', 'rsync_3.2.7-1_amd64.deb']);
    expect(kernelPackageOf('linux-image-amd64\n  Depends: linux-image-6.1.0-57-amd64\n')).toEqual({ package: 'linux-image-6.1.0-57-amd64', kver: '6.1.0-57-amd64' });
    expect(() => kernelPackageOf('')).toThrow(/run apt-get update/);
  });

  it('keeps the module files of --show-depends in load order, once, relative to the kernel folder', () => {
    const root = '/c/lib/modules/6.1.0';
    const text = `insmod ${root}/kernel/lib/crc16.ko \ninsmod ${root}/kernel/fs/ext4/ext4.ko \nbuiltin virtio\ninsmod ${root}/kernel/lib/crc16.ko \ninsmod ${root}/kernel/drivers/md/md-mod.ko start_ro=1\n`;
    expect(parseShowDepends(text, root)).toEqual(['kernel/lib/crc16.ko', 'kernel/fs/ext4/ext4.ko', 'kernel/drivers/md/md-mod.ko']);
  });

  it("finds an image's newest kernel that has modules, else what /vmlinuz points to", () => {
    const has = (versions: string[]) => (kver: string) => versions.includes(kver);
    expect(chooseImageKernel(['vmlinuz-6.1.0-9-amd64', 'vmlinuz-6.1.0-10-amd64', 'vmlinuz-6.1.0-11-amd64.old', 'config-6.1.0-10-amd64'], undefined, has(['6.1.0-9-amd64', '6.1.0-10-amd64'])))
      .toEqual({ kernel: 'boot/vmlinuz-6.1.0-10-amd64', kver: '6.1.0-10-amd64' });
    expect(chooseImageKernel(['vmlinuz-6.1.0-10-amd64'], undefined, has([]))).toBeUndefined();
    expect(chooseImageKernel([], 'boot/vmlinuz-5.10.0-8-amd64', has(['5.10.0-8-amd64']))).toEqual({ kernel: 'boot/vmlinuz-5.10.0-8-amd64', kver: '5.10.0-8-amd64' });
  });

  it('orders archive entries bytewise, each folder before what it holds', () => {
    expect(archiveOrder(['usr/bin/rsync', 'init', 'usr', 'usr/bin', 'etc/passwd', 'etc', 'Z'])).toEqual(['Z', 'etc', 'etc/passwd', 'init', 'usr', 'usr/bin', 'usr/bin/rsync']);
  });
});

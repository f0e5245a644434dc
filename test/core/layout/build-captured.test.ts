import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCapturedLayout, type RawProbe } from '../../../src/core/layout/build-captured.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/probe/${name}.json`, import.meta.url), 'utf8')) as RawProbe;

describe('buildCapturedLayout', () => {
  const layout = buildCapturedLayout(fixture('debian-gpt-vm'));

  it('records disks with their partition tables from lsblk and sfdisk, skipping non-disks', () => {
    expect(layout.disks).toHaveLength(1);
    const [disk] = layout.disks;
    expect(disk).toMatchObject({ path: '/dev/vda', sizeBytes: 4294967296, table: 'gpt', sectorSize: 512, model: null });
    expect(disk?.partitions.map((p) => [p.number, p.startSector, p.sizeSectors, p.type, p.name])).toEqual([
      [1, 2048, 2048, '21686148-6449-6E4F-744E-656564454649', null],
      [2, 4096, 1048576, 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B', null],
      [3, 1052672, 4194304, '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F', null],
      [4, 5246976, 3139584, '0FC63DAF-8483-4772-8E79-3D69D8477DE4', 'root'],
    ]);
  });

  it('tells local filesystems from pseudo and remote ones', () => {
    expect(layout.filesystems.map((f) => [f.mountpoint, f.fstype, f.local])).toEqual([
      ['/', 'ext4', true],
      ['/proc', 'proc', false],
      ['/boot/efi', 'vfat', true],
      ['/home/shared', 'nfs4', false],
      ['/run', 'tmpfs', false],
    ]);
  });

  it('parses fstab and swaps, octal escapes included', () => {
    expect(layout.fstab.map((e) => [e.spec, e.file, e.vfstype, e.passno])).toEqual([
      ['UUID=5d2c1f0e-3f7a-4c55-9a51-0c6c2b1d7e11', '/', 'ext4', 1],
      ['UUID=7A1B-2C3D', '/boot/efi', 'vfat', 1],
      ['UUID=0e6c5f7d-1111-4c2b-8f7e-7d5e3c2b1a00', 'none', 'swap', 0],
      ['nas:/export/home', '/home/shared', 'nfs4', 0],
      ['/srv/with space', '/mnt/x', 'none', 0],
    ]);
    expect(layout.swap).toEqual([
      { path: '/dev/vda3', kind: 'partition', sizeBytes: 2097148 * 1024 },
      { path: '/swap file', kind: 'file', sizeBytes: 1048572 * 1024 },
    ]);
  });

  it('reads md arrays, the bootloader footprint, kernels and the identity to replace', () => {
    expect(layout.raid).toEqual([{ device: '/dev/md0', level: 'raid1', members: ['/dev/vdc1', '/dev/vdb1'] }]);
    expect(layout.bootloader.kind).toBe('grub-efi');
    expect(layout.boot.kernels).toEqual([
      { version: '6.1.0-28-amd64', kernel: '/boot/vmlinuz-6.1.0-28-amd64', initrd: '/boot/initrd.img-6.1.0-28-amd64' },
      { version: '6.1.0-30-amd64', kernel: '/boot/vmlinuz-6.1.0-30-amd64', initrd: null },
    ]);
    expect(layout.hostname).toBe('golden');
    expect(layout.identity).toEqual({ machineId: '0123456789abcdef0123456789abcdef', sshHostKeys: [{ type: 'ssh-ed25519', publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJm' }] });
    expect(layout.warnings).toEqual([]);
  });

  it('degrades to warnings when tools are missing or print garbage', () => {
    const bare = buildCapturedLayout({ ...fixture('debian-gpt-vm'), lsblk: 'not json', findmnt: null, existing: [], mdstat: null });
    expect(bare.disks).toEqual([]);
    expect(bare.warnings).toEqual([
      'lsblk output is not JSON; its part of the layout is empty',
      'findmnt shows no / mount: the capture copies / as one filesystem',
      'no bootloader found (grub-pc, grub-efi, systemd-boot, extlinux): installed hosts will need one',
    ]);
  });

  it('captures a root that is not a block filesystem all the same, with a warning', () => {
    const overlay = buildCapturedLayout({
      ...fixture('debian-gpt-vm'),
      findmnt: JSON.stringify({ filesystems: [{ target: '/', source: 'overlay', fstype: 'overlay', options: 'rw' }] }),
    });
    expect(overlay.filesystems[0]?.local).toBe(true);
    expect(overlay.warnings).toContain('/ is overlay, not a block-device filesystem: it is captured all the same');
  });
});

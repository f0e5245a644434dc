import { describe, expect, it } from 'vitest';
import { installHostConfig } from '../../../src/core/autoinstall/client-host.js';
import { selectHooks } from '../../../src/core/autoinstall/hooks.js';
import { mergeHostTable, parseHostTable } from '../../../src/core/autoinstall/host-table.js';
import { buildLayoutContext } from '../../../src/core/autoinstall/layout-context.js';
import { emptyManifest, formatManifest, parseManifest, staleFiles } from '../../../src/core/autoinstall/manifest.js';
import { filesystemUuid } from '../../../src/core/autoinstall/uuids.js';
import { BOOT_DISK_TOKEN } from '../../../src/core/configure/shell.js';
import { BOOT_MAC_TOKEN } from '../../../src/core/configure/boot-mac.js';
import { client, EFI_LAYOUT, GPT_LAYOUT, MBR_LAYOUT, RAID_LVM_LAYOUT } from '../../infra/autoinstall/fixtures.js';

describe('filesystem UUIDs', () => {
  it('are version-4 shaped, stable, and differ by host, image and place', () => {
    const base = { host: 'node001', image: 'bookworm', place: 'disks[0].partitions[2]', type: 'ext4' as const };
    const uuid = filesystemUuid(base);
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(filesystemUuid(base)).toBe(uuid);
    const others = [{ ...base, host: 'node002' }, { ...base, image: 'other' }, { ...base, place: 'disks[0].partitions[1]' }].map(filesystemUuid);
    expect(new Set([uuid, ...others]).size).toBe(4);
    expect(filesystemUuid({ ...base, type: 'vfat' })).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}$/);
  });
});

describe('the host configuration for an install', () => {
  it('maps the record: first MAC static, fstab entries from the layout with the host UUIDs, boot disk left to install time', () => {
    const layout = buildLayoutContext(EFI_LAYOUT);
    const { host, uuids, warnings } = installHostConfig({ client: client(7, { macs: ['52:54:00:00:00:07', '52:54:00:00:01:07'] }), image: 'img', layout });
    expect(warnings).toEqual([]);
    expect(host.bootDisk).toBe(BOOT_DISK_TOKEN);
    expect(host.interfaces).toEqual([{ mac: '52:54:00:00:00:07', ip: '10.20.0.9', prefix: 16, gateway: '10.20.0.1', dns: ['10.20.0.1'] }]);
    // layout-context order: / first, then /boot/efi, then swap.
    expect(layout.filesystems.map((fs) => fs.place)).toEqual(['disks[0].partitions[2]', 'disks[0].partitions[0]', 'disks[0].partitions[1]']);
    expect(host.filesystems).toEqual([
      { uuid: uuids[0], mountpoint: '/', fstype: 'btrfs', options: 'defaults', dump: 0, pass: 1 },
      { uuid: uuids[1], mountpoint: '/boot/efi', fstype: 'vfat', options: 'umask=0077', dump: 0, pass: 2 },
      { uuid: uuids[2], mountpoint: 'none', fstype: 'swap', options: 'sw', dump: 0, pass: 0 },
    ]);
    expect(uuids[1]).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}$/);
  });

  it('configures a client without a MAC on the interface it boots from, and refuses a bad record in one line', () => {
    const layout = buildLayoutContext(GPT_LAYOUT);
    const macless = installHostConfig({ client: client(1, { macs: [] }), image: 'img', layout });
    expect(macless.warnings).toEqual([]);
    expect(macless.host.interfaces).toEqual([expect.objectContaining({ mac: BOOT_MAC_TOKEN, ip: client(1).ip })]);
    expect(() => installHostConfig({ client: client(1, { domain: 'Bad_Domain' }), image: 'img', layout })).toThrow(/^invalid host configuration: domain/);
  });
});

describe('layout context', () => {
  it('gives each partition a variable, the sfdisk fields, and orders disks with a path first', () => {
    const raid = buildLayoutContext(RAID_LVM_LAYOUT);
    expect(raid.raid.map((r) => [r.device, r.members])).toEqual([
      ['/dev/md0', '"$SI_PART_0_2" "$SI_PART_1_2"'],
      ['/dev/md1', '"$SI_PART_0_3" "$SI_PART_1_3"'],
    ]);
    expect(raid.volumeGroups[0]?.volumes.map((v) => v.size)).toEqual(['-L 4096m', '-l 10%VG', '-l 100%FREE']);
    expect(raid.filesystems.map((fs) => [fs.device, fs.type, fs.mount])).toEqual([
      ["/dev/vg0/root", 'ext4', '/'],
      ['/dev/md0', 'ext4', '/boot'],
      ['/dev/vg0/home', 'xfs', '/home'],
      ['/dev/vg0/swap', 'swap', null],
    ]);
    const mbr = buildLayoutContext(MBR_LAYOUT);
    expect(mbr.disks[0]?.partitions.map((p) => p.sfdiskFields)).toEqual([', type=83, bootable', ', type=83', ', type=83']);
    expect(mbr.disks[0]?.specs).toBe('256 60% rest');
    const efi = buildLayoutContext(EFI_LAYOUT);
    expect(efi.disks[0]?.pathWord).toBe('/dev/vda');
    expect(efi.filesystems[1]?.options).toBe('-F 32');
  });
});

describe('pre- and post-install scripts', () => {
  it('apply to all, the image, a group or the host, in name order', () => {
    const names = ['20node001.sh', '10all', '05compute.x', '30node0011.sh', '40other.sh', 'README', '99bookworm.sh', '1all.sh', '50node001'];
    expect(selectHooks({ names, image: 'bookworm', groups: ['compute'], host: 'node001' })).toEqual([
      '05compute.x',
      '10all',
      '20node001.sh',
      '50node001',
      '99bookworm.sh',
    ]);
  });
});

describe('host table', () => {
  it('replaces the lines of the image and its clients, keeps the others, sorted by name', () => {
    const existing = mergeHostTable({ existing: '', image: 'a', clients: [client(1, { image: 'a' }), client(2, { image: 'a', macs: [] })] });
    expect(existing.split('\n').slice(1)).toEqual(['node001 10.20.0.3 52:54:00:00:00:01 a', 'node002 10.20.0.4 - a', '']);
    // node002 moved to image b; node003 is new in b.
    const merged = mergeHostTable({ existing, image: 'b', clients: [client(2, { image: 'b' }), client(3, { image: 'b' })] });
    expect(parseHostTable(merged).map((l) => `${l.hostname} ${l.image}`)).toEqual(['node001 a', 'node002 b', 'node003 b']);
    expect(parseHostTable(merged)[1]?.macs).toEqual(['52:54:00:00:00:02']);
  });
});

describe('manifest', () => {
  it('round-trips, treats unreadable text as empty, and finds the image files no longer produced', () => {
    const manifest = emptyManifest();
    manifest.files['b.sh'] = { image: 'img', sha256: 'x', size: 1, inputs: 'i' };
    manifest.files['a.sh'] = { image: 'img', sha256: 'y', size: 1, inputs: 'j' };
    manifest.files['c.sh'] = { image: 'other', sha256: 'z', size: 1, inputs: 'k' };
    manifest.files.hosts = { image: '*', sha256: 'h', size: 1, inputs: 'h' };
    expect(parseManifest(formatManifest(manifest))).toEqual(manifest);
    expect(parseManifest('{not json')).toEqual(emptyManifest());
    expect(staleFiles({ manifest, image: 'img', produced: new Set(['b.sh']) })).toEqual(['a.sh']);
  });
});

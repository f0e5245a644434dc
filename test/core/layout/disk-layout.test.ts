import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { parseDiskLayout, validateDiskLayout } from '../../../src/core/layout/disk-layout.js';
import { parseSizeSpec } from '../../../src/core/layout/disk-layout-size.js';
import { readDocExamples } from './docs-examples.js';

const examples = readDocExamples();

/** A valid one-disk layout with its partitions replaced or extended by `parts`. */
function oneDisk(parts: unknown[], extra: Record<string, unknown> = {}, table = 'gpt'): string {
  return JSON.stringify({
    disks: [{ select: 'first', table, partitions: [{ size: '10GiB', filesystem: { type: 'ext4', mount: '/' } }, ...parts] }],
    ...extra,
  });
}

describe('parseSizeSpec', () => {
  it.each([
    ['512MiB', { kind: 'mib', mib: 512 }],
    ['20GiB', { kind: 'mib', mib: 20480 }],
    ['1.5GiB', { kind: 'mib', mib: 1536 }],
    ['0.1GiB', { kind: 'mib', mib: 102 }],
    ['2TiB', { kind: 'mib', mib: 2097152 }],
    ['10%', { kind: 'percent', percent: 10 }],
    ['100%', { kind: 'percent', percent: 100 }],
    ['rest', { kind: 'rest' }],
  ])('%s', (text, size) => {
    expect(parseSizeSpec(text)).toEqual(size);
  });

  it.each(['12XB', '512', '512mib', '512 MiB', '0MiB', '0.5MiB', '0%', '101%', '10.5%', '-1GiB', 'REST', ''])(
    'refuses %j',
    (text) => {
      expect(parseSizeSpec(text)).toBeUndefined();
    },
  );
});

describe('parseDiskLayout: the documented examples', () => {
  it('finds the four examples', () => {
    expect([...examples.keys()]).toEqual([
      'One GPT disk: ESP, swap and root',
      'One MBR disk (BIOS boot)',
      'RAID1 over two disks',
      'LVM with volumes by size, share and rest',
    ]);
  });

  it.each([...examples])('%s parses', (_title, text) => {
    const layout = parseDiskLayout(text);
    expect(layout.version).toBe(1);
    expect(layout.disks.length).toBeGreaterThan(0);
  });

  it('fills in defaults: partition type linux, empty option lists, implied swap filesystem', () => {
    const layout = parseDiskLayout(examples.get('One GPT disk: ESP, swap and root') as string);
    const [, swap, root] = layout.disks[0]?.partitions ?? [];
    expect(swap?.filesystem).toEqual({ type: 'swap', mkfsOptions: [], mountOptions: [] });
    expect(root?.type).toBe('linux');
    expect(layout.raid).toEqual([]);
    expect(layout.lvm).toEqual([]);
  });

  it('reads its own output back unchanged', () => {
    for (const text of examples.values()) {
      const layout = parseDiskLayout(text);
      expect(parseDiskLayout(JSON.stringify(layout))).toEqual(layout);
    }
  });
});

describe('parseDiskLayout: errors name the path and the reason', () => {
  const lvm = (volumes: unknown[], pvs = ['pv0']) =>
    oneDisk([{ name: 'pv0', size: 'rest', type: 'lvm' }], { lvm: [{ name: 'vg0', pvs, volumes }] });
  const raidDisks = (n: number) =>
    oneDisk(Array.from({ length: n }, (_, i) => ({ name: `r${i}`, size: '1GiB', type: 'raid' })));

  it.each([
    [
      oneDisk([{ size: '1GiB' }, { size: '12XB', type: 'swap' }]),
      'layout.json: disks[0].partitions[2].size: "12XB" is not a size; use 512MiB, 20GiB, 10% or rest',
    ],
    [oneDisk([{ sise: '1GiB' }]), 'layout.json: disks[0].partitions[1]: unknown key "sise"; allowed: name, size, type, bootable, filesystem (and 1 more problem)'],
    [oneDisk([{ size: 5 }]), 'layout.json: disks[0].partitions[1].size: expected a string, got 5'],
    [oneDisk([{ size: '1GiB', type: 'ntfs' }]), 'disks[0].partitions[1].type: "ntfs" is not one of "esp", "bios_grub", "swap", "linux", "raid" or "lvm"'],
    [oneDisk([{ size: '1GiB', filesystem: { type: 'ext5' } }]), 'disks[0].partitions[1].filesystem.type: "ext5" is not one of'],
    ['{"disks":[{"select":"first","partitions":[{"size":"1GiB"}]}]}', 'layout.json: disks[0].table: missing; use "gpt" or "msdos"'],
    ['{"disks":[]}', 'layout.json: disks: must not be empty'],
    ['[]', 'layout.json: not a layout document: expected a JSON object {...}, got a list'],
    ['{"disks":[],"extra":1}', 'layout.json: unknown key "extra"; allowed: version, disks, raid, lvm'],
    ['{"version":2,"disks":[]}', 'layout.json: version: 2 is not 1'],
    [oneDisk([{ size: '1GiB', filesystem: { type: 'ext4', mount: 'var' } }]), 'filesystem.mount: "var" is not a mount point'],
    [oneDisk([{ size: '1GiB', filesystem: { type: 'ext4', mount: '/var/' } }]), '"/var/" is not a mount point'],
    [oneDisk([{ size: '1GiB', filesystem: { type: 'ext4', mount: '/a/../b' } }]), '"/a/../b" is not a mount point'],
    [oneDisk([{ size: '1GiB', filesystem: { type: 'ext4', mountOptions: ['noatime,nodev'] } }]), '"noatime,nodev" is not one mount option'],
    [oneDisk([{ size: '1GiB', filesystem: { type: 'ext4', mkfsOptions: [''] } }]), 'mkfsOptions[0]: "" is not an option word'],
    [oneDisk([{ name: 'has space', size: '1GiB' }]), 'disks[0].partitions[1].name: "has space" is not a partition name'],
    [oneDisk([], {}, 'gpt').replace('"select":"first",', ''), 'disks[0]: no disk chosen; add path ("/dev/sda"), select ("first") or minSizeGiB'],
    [oneDisk([]).replace('"select":"first"', '"select":"first","path":"/dev/sda"'), 'disks[0]: give either path or select, not both'],
    [oneDisk([]).replace('"select":"first"', '"path":"sda"'), 'disks[0].path: "sda" is not a device path'],
    [oneDisk([]).replace('"select":"first"', '"select":"last"'), 'disks[0].select: "last" is not "first"'],
    [oneDisk([{ size: 'rest' }, { size: '1GiB' }]), 'disks[0].partitions[1].size: only the last partition may take the rest'],
    [oneDisk([{ size: '60%' }, { size: '50%' }]), 'disks[0].partitions: partition shares add up to 110%'],
    [oneDisk([{ size: '100%' }]), 'disks[0].partitions: partition shares add up to 100%, which leaves no room for the other partitions'],
    [oneDisk([{ size: '1GiB' }, { size: '1GiB' }, { size: '1GiB' }, { size: '1GiB' }], {}, 'msdos'), 'disks[0].partitions: an msdos table holds at most 4 partitions'],
    [oneDisk([{ size: '512MiB', type: 'esp' }]), 'disks[0].partitions[1]: an esp partition must have filesystem {"type": "vfat"}'],
    [oneDisk([{ size: '512MiB', type: 'esp', filesystem: { type: 'ext4' } }]), 'an esp partition must have filesystem {"type": "vfat"}'],
    [oneDisk([{ size: '1MiB', type: 'bios_grub' }], {}, 'msdos'), 'disks[0].partitions[1].type: bios_grub is for gpt disks'],
    [oneDisk([{ size: '1MiB', type: 'bios_grub', filesystem: { type: 'vfat' } }]), 'disks[0].partitions[1].filesystem: a bios_grub partition holds no filesystem'],
    [oneDisk([{ size: '1GiB', bootable: true }]), 'disks[0].partitions[1].bootable: bootable applies to msdos tables only'],
    [oneDisk([{ size: '1GiB', filesystem: { type: 'swap' } }]), 'disks[0].partitions[1].type: swap needs a partition of type "swap"'],
    [oneDisk([{ size: '1GiB', type: 'swap', filesystem: { type: 'ext4' } }]), 'partitions[1].filesystem.type: a swap partition holds swap'],
    [oneDisk([{ size: '1GiB', type: 'swap', filesystem: { type: 'swap', mount: '/swap' } }]), 'partitions[1].filesystem.mount: swap is not mounted'],
    [oneDisk([{ size: '1GiB', filesystem: { type: 'vfat', label: 'TWELVE_CHARS' } }]), 'filesystem.label: vfat labels hold at most 11 characters'],
    [oneDisk([{ size: '1GiB', filesystem: { type: 'ext4', mount: '/' } }]), 'disks[0].partitions[1].filesystem.mount: / is already mounted by disks[0].partitions[0].filesystem'],
    [oneDisk([]).replace('"mount":"/"', '"mount":"/srv"'), 'layout.json: no filesystem is mounted at /'],
    [oneDisk([{ size: '1GiB', type: 'raid' }]), 'disks[0].partitions[1]: a raid partition needs a "name"'],
    [oneDisk([{ name: 'x', size: '1GiB', type: 'raid' }]), 'disks[0].partitions[1]: partition x has type raid but no array lists it in members'],
    [oneDisk([{ name: 'x', size: '1GiB', type: 'lvm', filesystem: { type: 'ext4' } }]), 'a lvm partition is formatted through its volume group; remove filesystem'],
    [oneDisk([{ name: 'x', size: '1GiB' }, { name: 'x', size: '1GiB' }]), 'disks[0].partitions[2].name: name "x" is already used by disks[0].partitions[1]'],
    [
      JSON.stringify({ disks: [{ path: '/dev/sda', table: 'gpt', partitions: [{ size: '1GiB', filesystem: { type: 'ext4', mount: '/' } }] }, { path: '/dev/sda', table: 'gpt', partitions: [{ size: '1GiB' }] }] }),
      'disks[1].path: /dev/sda is already used by disks[0]',
    ],
    [raidDisks(2).replace(/}$/, ',"raid":[{"name":"md0","level":5,"members":["r0","r1"]}]}'), 'raid[0].members: raid5 needs at least 3 members, got 2'],
    [raidDisks(2).replace(/}$/, ',"raid":[{"name":"md0","level":3,"members":["r0","r1"]}]}'), 'raid[0].level: 3 is not one of 0, 1, 5, 6 or 10'],
    [raidDisks(2).replace(/}$/, ',"raid":[{"name":"raid0","level":1,"members":["r0","r1"]}]}'), 'raid[0].name: "raid0" is not an md name'],
    [raidDisks(2).replace(/}$/, ',"raid":[{"name":"md0","level":1,"members":["r0","r9"]}]}'), 'raid[0].members[1]: "r9" names no partition or array'],
    [raidDisks(2).replace(/}$/, ',"raid":[{"name":"md0","level":1,"members":["r0","r0"]}]}'), 'raid[0].members[1]: r0 is already used by md0'],
    [
      raidDisks(4).replace(/}$/, ',"raid":[{"name":"md0","level":1,"members":["r0","r1"]},{"name":"md1","level":1,"members":["r2","r1"]}]}'),
      'raid[1].members[1]: r1 is already used by md0',
    ],
    [lvm([{ name: 'a', size: '1GiB' }], ['md7']), 'lvm[0].pvs[0]: "md7" names no partition or array'],
    [lvm([{ name: 'a', size: 'rest' }, { name: 'b', size: '1GiB' }]), 'lvm[0].volumes[0].size: only the last volume may take the rest'],
    [lvm([{ name: 'a', size: '1GiB' }, { name: 'a', size: '1GiB' }]), 'lvm[0].volumes[1].name: vg0 already has a volume named a'],
    [lvm([{ name: 'a', size: '70%' }, { name: 'b', size: '40%' }]), 'lvm[0].volumes: volume shares add up to 110%'],
    [lvm([{ name: '-a', size: '1GiB' }]), 'lvm[0].volumes[0].name: "-a" is not an LVM name'],
    [lvm([]), 'lvm[0].volumes: must not be empty'],
  ])('%s', (text, message) => {
    expect(() => parseDiskLayout(text)).toThrow(UserError);
    expect(() => parseDiskLayout(text)).toThrow(message);
  });

  it('refuses a physical volume that is a partition of another type, or an array with a filesystem', () => {
    const text = oneDisk(
      [
        { name: 'r0', size: '1GiB', type: 'raid' },
        { name: 'r1', size: '1GiB', type: 'raid' },
        { name: 'plain', size: '1GiB' },
      ],
      {
        raid: [{ name: 'md0', level: 1, members: ['r0', 'r1'], filesystem: { type: 'xfs', mount: '/data' } }],
        lvm: [{ name: 'vg0', pvs: ['md0', 'plain'], volumes: [{ name: 'a', size: 'rest' }] }],
      },
    );
    const messages = validateDiskLayout(JSON.parse(text)).problems.map((p) => p.message);
    expect(messages).toEqual([
      'array md0 has a filesystem; remove it to use the array as a physical volume',
      'plain is a linux partition; physical volumes need type "lvm"',
    ]);
  });

  it.each([
    ['{\n  "disks": [\n  }\n', 'layout.json: line 3, column 3: unexpected token \'}\'; fix the JSON syntax'],
    ['{\n  "disks": [],\n}', 'layout.json: line 3, column 1: expected double-quoted property name; fix the JSON syntax'],
    ['{"disks": [', 'layout.json: line 1, column 12: the document ends too early; fix the JSON syntax'],
    ['', 'layout.json: line 1, column 1: the document ends too early'],
    ['{"a": 1} x', 'layout.json: line 1, column 10: unexpected non-whitespace character after JSON'],
  ])('reports JSON syntax errors with line and column: %j', (text, message) => {
    expect(() => parseDiskLayout(text)).toThrow(message);
  });

  it('names the source it was given', () => {
    expect(() => parseDiskLayout('{}', { source: 'images/deb/layout.json' })).toThrow('images/deb/layout.json: disks: missing');
  });
});

describe('guards: device paths, one ESP, no echo of a file that is not a layout', () => {
  const withPath = (path: string) => JSON.stringify({ disks: [{ path, table: 'gpt', partitions: [{ size: 'rest', filesystem: { type: 'ext4', mount: '/' } }] }] });

  it.each(['/dev/../etc/shadow', '/dev/./sda', '/dev//sda', '/dev/sda/', '/dev/', '/dev', '/etc/shadow', 'dev/sda', '/dev/disk/by-id/../../../etc/passwd'])('refuses %j as a disk path', (path) => {
    expect(() => parseDiskLayout(withPath(path))).toThrow(/disks\[0\]\.path: .* is not a device path; use a path under \/dev without '\.' or '\.\.' parts/);
  });

  it.each(['/dev/sda', '/dev/nvme0n1', '/dev/disk/by-id/ata-QEMU_HARDDISK_QM00001', '/dev/vda'])('accepts %j as a disk path', (path) => {
    expect(parseDiskLayout(withPath(path)).disks[0]?.path).toBe(path);
  });

  it('refuses a second ESP, on the same disk or another, naming the first', () => {
    const esp = (mount?: string) => ({ size: '512MiB', type: 'esp', filesystem: { type: 'vfat', ...(mount ? { mount } : {}) } });
    const root = { size: 'rest', filesystem: { type: 'ext4', mount: '/' } };
    expect(() => parseDiskLayout(oneDisk([esp('/boot/efi'), esp()]))).toThrow(
      'disks[0].partitions[2].type: the layout already has an EFI system partition at disks[0].partitions[1]; use one esp',
    );
    const twoDisks = JSON.stringify({
      disks: [
        { select: 'first', table: 'gpt', partitions: [esp('/boot/efi'), root] },
        { select: 'first', table: 'gpt', partitions: [esp('/boot/efi2'), { size: 'rest', filesystem: { type: 'xfs', mount: '/data' } }] },
      ],
    });
    expect(() => parseDiskLayout(twoDisks)).toThrow('disks[1].partitions[0].type: the layout already has an EFI system partition at disks[0].partitions[0]');
  });

  it.each([
    'SECRETpassw0rd:$y$j9T$abc:19000:0:99999:7:::\nline2\n',
    'root:SECRETpassw0rd:19000:0:99999:7:::\n',
    '"SECRETpassw0rd"\n',
    '12345678\n',
    '[ "SECRETpassw0rd" ]',
    'nSECRETpassw0rd',
    '-SECRETpassw0rd',
    '{"a": 1} SECRETpassw0rd',
    'true SECRETpassw0rd',
  ])('never quotes the content of a file that is not a layout: %j', (text) => {
    let message = '';
    try {
      parseDiskLayout(text, { source: '/etc/shadow' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^\/etc\/shadow: (line \d+, column \d+: |not a layout document: )/);
    expect(message).not.toMatch(/SECRET|passw0rd|12345678|root:/);
  });
});

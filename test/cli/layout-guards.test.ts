// Guards of the layout and of image names, through the CLI: the image must fit the filesystems it lands on,
// disk paths are device paths, one ESP, a file that is no layout is never echoed, reserved names are refused.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minbaseTree } from '../world/debootstrap-cache.js';
import { run } from '../../src/infra/run.js';
import { RESERVED_IMAGE_NAMES } from '../../src/core/names.js';
import { dumpRegistry, si, siOk } from '../support/si.js';
import { makeImage, makeImageFromTree } from '../support/images.js';

const root = (size: string) => ({ size, filesystem: { type: 'ext4', mount: '/' } });
const gpt = (...partitions: unknown[]) => ({ disks: [{ select: 'first', table: 'gpt', partitions }] });

describe('si layout check --image: does the image fit', () => {
  let work: string;
  let home: string;
  const file = (name: string, doc: unknown) => {
    const path = join(work, name);
    writeFileSync(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
    return path;
  };
  const check = (args: string[]) => si(home, ['layout', 'check', '--image', 'bookworm', ...args]);
  const oneLine = (stderr: string) => {
    const lines = stderr.trim().split('\n');
    expect(lines, stderr).toHaveLength(1);
    return lines[0] as string;
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'si-layout-guards-'));
    home = join(work, 'home');
    const tree = join(work, 'tree');
    await minbaseTree(tree);
    // 40 MiB under /boot: what a kernel and its initrd take.
    await run(['dd', 'if=/dev/zero', `of=${join(tree, 'boot/vmlinuz-test')}`, 'bs=1M', 'count=40', 'status=none']);
    makeImageFromTree(home, 'bookworm', tree);
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('refuses a / too small for the image, in one line naming the filesystem and the sizes', async () => {
    const result = await check(['--file', file('tiny.json', gpt(root('3MiB')))]);
    expect(result.exitCode).toBe(2);
    expect(oneLine(result.stderr)).toMatch(/^si: image bookworm does not fit the layout: \/ \(ext4 on \/dev\/disk0p1, 3 MiB, about 2 MiB usable\) needs (\d+) MiB for the image's files; make \/ larger/);
    const needed = Number(/needs (\d+) MiB/.exec(result.stderr)?.[1]);
    expect(needed).toBeGreaterThan(200);
    expect(needed).toBeLessThan(400);
  });

  it('measures per mount point: a small /boot is refused for what lands in /boot, not for the whole image', async () => {
    const layout = gpt({ size: '1MiB', type: 'bios_grub' }, { size: '32MiB', filesystem: { type: 'ext4', mount: '/boot' } }, root('rest'));
    const result = await check(['--file', file('boot.json', layout), '--disk-size', '4GiB']);
    expect(result.exitCode).toBe(2);
    expect(oneLine(result.stderr)).toMatch(/\/boot \(ext4 on \/dev\/disk0p2, 32 MiB, about 26 MiB usable\) needs 4\d MiB/);
    const bigger = gpt({ size: '1MiB', type: 'bios_grub' }, { size: '128MiB', filesystem: { type: 'ext4', mount: '/boot' } }, root('rest'));
    const ok = await check(['--file', file('boot-ok.json', bigger), '--disk-size', '4GiB']);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/image bookworm \(\d+ MiB in \d+ files\) fits/);
  });

  it('takes "rest" and shares from the disk size: refused on a small disk, and without --disk-size plans the smallest disk it fits', async () => {
    const layout = file('rest.json', gpt({ size: '20%', type: 'swap', filesystem: { type: 'swap' } }, root('rest')));
    const small = await check(['--file', layout, '--disk-size', '100MiB']);
    expect(small.exitCode).toBe(2);
    expect(oneLine(small.stderr)).toMatch(/\/ \(ext4 on \/dev\/disk0p2, \d+ MiB, about \d+ MiB usable\) needs \d+ MiB/);
    const planned = await siOk<{ plan: { disks: { sizeMiB: number; partitions: { sizeMiB: number }[] }[] }; fit: { disksGrown: boolean } }>(home, [
      'layout', 'check', '--image', 'bookworm', '--file', layout, '--json',
    ]);
    expect(planned.fit.disksGrown).toBe(true);
    const rootMiB = planned.plan.disks[0]?.partitions[1]?.sizeMiB ?? 0;
    expect(rootMiB).toBeGreaterThan(200);
    // The smallest: one MiB less of disk and it would not fit.
    const smaller = await check(['--file', layout, '--disk-size', `${(planned.plan.disks[0]?.sizeMiB ?? 0) - 1}MiB`]);
    expect(smaller.exitCode, smaller.stdout).toBe(2);
    // The image's own layout (the standard one, 'rest' root) fits on a disk of 2 GiB.
    const standard = await check(['--disk-size', '2GiB']);
    expect(standard.exitCode, standard.stderr).toBe(0);
  });

  it('refuses a disk path that is not a normal /dev path, and a second ESP', async () => {
    const shadow = await si(home, ['layout', 'check', '--file', file('path.json', { disks: [{ path: '/dev/../etc/shadow', table: 'gpt', partitions: [root('rest')] }] })]);
    expect(shadow.exitCode).toBe(2);
    expect(oneLine(shadow.stderr)).toMatch(/disks\[0\]\.path: "\/dev\/\.\.\/etc\/shadow" is not a device path/);
    const esp = { size: '256MiB', type: 'esp', filesystem: { type: 'vfat', mount: '/boot/efi' } };
    const two = { disks: [{ select: 'first', table: 'gpt', partitions: [esp, root('rest')] }, { select: 'first', table: 'gpt', partitions: [{ ...esp, filesystem: { type: 'vfat' } }] }] };
    const result = await si(home, ['layout', 'check', '--file', file('esp.json', two)]);
    expect(result.exitCode).toBe(2);
    expect(oneLine(result.stderr)).toMatch(/disks\[1\]\.partitions\[0\]\.type: the layout already has an EFI system partition at disks\[0\]\.partitions\[0\]/);
  });

  it('never echoes the content of a file that is not a layout', async () => {
    const secret = file('shadow', 'root:$y$j9T$SECRETsalt$SECREThash:19700:0:99999:7:::\ndaemon:*:19700:0:99999:7:::\n');
    for (const args of [['layout', 'check', '--file', secret], ['layout', 'set', '--image', 'bookworm', '--file', secret]]) {
      const result = await si(home, args);
      expect(result.exitCode).toBe(2);
      expect(oneLine(result.stderr)).toMatch(/shadow: line 1, column \d+: unexpected character; fix the JSON syntax$/);
      expect(result.stderr).not.toMatch(/SECRET|root:|\$y\$/);
    }
    const quoted = await si(home, ['layout', 'check', '--file', file('quoted', '"SECRET-token-value"\n')]);
    expect(oneLine(quoted.stderr)).toMatch(/not a layout document: expected a JSON object \{\.\.\.\}, got a string/);
    expect(quoted.stderr).not.toContain('SECRET');
  });
});

describe('reserved image names', () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'si-reserved-'));
    makeImage(home, 'base');
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('are refused by mkimage, getimage, image cp and image mv before any work, in one line', async () => {
    const before = dumpRegistry(home);
    const versions = readdirSync(join(home, 'versions')).sort();
    for (const name of RESERVED_IMAGE_NAMES) {
      const commands = [
        ['mkimage', '--image', name, '--suite', 'bookworm'],
        ['getimage', '--golden-client', '127.0.0.1', '--image', name],
        ['image', 'cp', 'base', name],
        ['image', 'mv', 'base', name],
      ];
      for (const args of commands) {
        const result = await si(home, args, { timeout: 30_000 });
        expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(2);
        const lines = result.stderr.trim().split('\n');
        expect(lines, result.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(new RegExp(`^si: image name ${name.replace('.', '\\.')} is reserved for the image server's own use: choose another name`));
      }
      expect(existsSync(join(home, 'images', name))).toBe(false);
    }
    expect(dumpRegistry(home)).toEqual(before);
    expect(readdirSync(join(home, 'versions')).sort()).toEqual(versions);
  }, 300_000);
});

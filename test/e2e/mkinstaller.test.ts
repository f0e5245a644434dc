// si mkinstaller: the netboot installer built for real from this machine's apt sources. The downloaded and
// extracted packages are cached in a fixed folder, so only the first run pays for the download.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidates } from '../../src/infra/installer/packages.js';
import { capture, run, runPipeline } from '../../src/infra/run.js';
import { si } from '../support/si.js';

const CACHE = '/var/cache/sisuite-test/installer';
const MODULES = ['virtio_pci', 'virtio_net', 'virtio_blk', 'virtio_scsi', 'e1000', 'ahci', 'nvme', 'ext4', 'xfs', 'btrfs', 'vfat', 'nls_cp437', 'nls_ascii', 'raid1', 'dm_mod', 'md_mod'];

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('si mkinstaller', () => {
  let scratch: string;
  let homeA: string;
  let homeB: string;
  let extracted: string;
  let built: { kver: string; initrdSha256: string; seconds: number };

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'si-mkinstaller-'));
    homeA = join(scratch, 'a');
    homeB = join(scratch, 'b');
    extracted = join(scratch, 'initrd');
    for (const dir of [homeA, homeB, extracted]) mkdirSync(dir);
    mkdirSync(CACHE, { recursive: true });
    const result = await si(homeA, ['mkinstaller', '--cache', CACHE, '--json'], { timeout: 600_000 });
    expect(result.exitCode, result.stderr).toBe(0);
    built = JSON.parse(result.stdout);
    process.stdout.write(`si mkinstaller: first build ${built.seconds.toFixed(1)} s\n`);
    await runPipeline([['zcat', join(homeA, 'boot/x86_64/debian/initrd.img')], ['cpio', '-id', '--quiet']], { cwd: extracted });
  }, 600_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('writes a bzImage kernel and a gzip newc archive holding init, the tools and the modules', async () => {
    const dir = join(homeA, 'boot/x86_64/debian');
    const kernel = readFileSync(join(dir, 'kernel'));
    // The x86 boot protocol's header magic "HdrS" at 0x202 marks a bzImage.
    expect(kernel.subarray(0x202, 0x206).toString('latin1')).toBe('HdrS');
    // gzip's magic, then (unpacked) the newc header magic 070701; cpio -t below reads it to its trailer.
    expect(readFileSync(join(dir, 'initrd.img')).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(gunzipSync(readFileSync(join(dir, 'initrd.img'))).subarray(0, 6).toString('latin1')).toBe('070701');
    const listed = (await runPipeline([['zcat', join(dir, 'initrd.img')], ['cpio', '-it', '--quiet']])).stdout.split('\n');
    for (const entry of ['init', 'usr/bin/busybox', 'usr/bin/rsync', 'usr/bin/mdadm', 'usr/bin/lvm', 'usr/bin/sfdisk', 'usr/bin/ssh', 'usr/bin/grub-install', 'usr/bin/mkfs.xfs', 'usr/bin/mkfs.fat', 'etc/passwd']) {
      expect(listed, entry).toContain(entry);
    }
    expect(listed).toContain(`usr/lib/modules/${built.kver}/modules.dep`);
    expect(listed.filter((e) => e.endsWith('.ko')).length).toBeGreaterThan(20);
    const manifest = JSON.parse(readFileSync(join(dir, 'installer.json'), 'utf8'));
    expect(manifest.initrdSha256).toBe(sha256(join(dir, 'initrd.img')));
  });

  it("has a modules.dep that resolves every module the installer loads, inside the archive", async () => {
    for (const module of MODULES) {
      const shown = await run(['modprobe', '-C', '/dev/null', '-d', extracted, '-S', built.kver, '--show-depends', module]);
      const files = [...shown.stdout.matchAll(/^insmod (\S+)/gm)].map((m) => m[1] as string);
      expect(files.length, module).toBeGreaterThan(0);
      for (const file of files) expect(file.startsWith(`${extracted}/`), file).toBe(true);
    }
  });

  it('runs its programs with the libraries it carries (chrooted into the extracted archive)', async () => {
    const inside = async (...argv: string[]) => {
      const result = await capture(['chroot', extracted, ...argv], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
      expect(result.exitCode, `${argv.join(' ')}: ${result.stderr}`).toBe(0);
      return result.stdout + result.stderr;
    };
    expect(await inside('/usr/bin/rsync', '--version')).toMatch(/rsync\s+version 3/);
    expect(await inside('/usr/bin/mdadm', '--version')).toMatch(/mdadm - v4/);
    expect(await inside('/usr/bin/sfdisk', '--version')).toMatch(/util-linux/);
    // ssh -V wants /dev/null, which only the booted installer has: its loader lists the libraries instead.
    const sshLibraries = await inside('/usr/lib64/ld-linux-x86-64.so.2', '--list', '/usr/bin/ssh');
    expect(sshLibraries).toMatch(/libcrypto\.so\.3 => \/(usr\/)?lib\/x86_64-linux-gnu\/libcrypto\.so\.3 /);
    expect(sshLibraries).not.toMatch(/not found/);
    expect(await inside('/usr/bin/grub-install', '--version')).toMatch(/GRUB/);
    expect(await inside('/usr/bin/mkfs.xfs', '-V')).toMatch(/mkfs.xfs version/);
    expect(await inside('/usr/bin/modprobe', '--version')).toMatch(/kmod version/);
    // /bin/sh is dash: `modprobe` in the init is kmod's, not a busybox applet.
    expect(await inside('/bin/sh', '-c', 'command -v modprobe; command -v udhcpc')).toBe('/usr/sbin/modprobe\n/usr/sbin/udhcpc\n');
  });

  it('has an init that parses as POSIX sh and passes shellcheck', async () => {
    const init = join(extracted, 'init');
    expect(readFileSync(init, 'utf8')).toContain(`for si_module in ${['virtio_pci', 'virtio_net'].join(' ')}`);
    await run(['sh', '-n', init]);
    await run(['shellcheck', '-s', 'sh', init, join(extracted, 'etc/udhcpc.script')]);
  });

  it('gives the same bytes when built again from the same inputs, in another home', async () => {
    const again = await si(homeB, ['mkinstaller', '--cache', CACHE, '--json'], { timeout: 300_000 });
    expect(again.exitCode, again.stderr).toBe(0);
    const second = JSON.parse(again.stdout) as typeof built;
    process.stdout.write(`si mkinstaller: warm build ${second.seconds.toFixed(1)} s\n`);
    expect(sha256(join(homeB, 'boot/x86_64/debian/initrd.img'))).toBe(sha256(join(homeA, 'boot/x86_64/debian/initrd.img')));
    expect(sha256(join(homeB, 'boot/x86_64/debian/kernel'))).toBe(sha256(join(homeA, 'boot/x86_64/debian/kernel')));
    expect(second.initrdSha256).toBe(built.initrdSha256);
    expect(second.seconds).toBeLessThan(60);
  }, 300_000);

  it("builds an image-NAME flavor from an image's own /boot/vmlinuz-* and its modules", async () => {
    // An image tree with a kernel and lib/modules/KVER/modules.dep: the Debian kernel package as extracted in the cache.
    const kernelTree = readdirSync(join(CACHE, 'extracted')).find((name) => name.startsWith(`linux-image-${built.kver}_`));
    expect(kernelTree).toBeDefined();
    mkdirSync(join(homeB, 'images'), { recursive: true });
    symlinkSync(join(CACHE, 'extracted', kernelTree as string), join(homeB, 'images', 'kimg'));
    const planned = await si(homeB, ['mkinstaller', '--kernel', 'image:kimg', '--dry-run', '--json']);
    expect(planned.exitCode, planned.stderr).toBe(0);
    expect(JSON.parse(planned.stdout)).toMatchObject({ flavor: 'image-kimg', output: join(homeB, 'boot/x86_64/image-kimg') });
    expect(() => readFileSync(join(homeB, 'boot/x86_64/image-kimg/initrd.img'))).toThrow();
    const result = await si(homeB, ['mkinstaller', '--kernel', 'image:kimg', '--cache', CACHE, '--json'], { timeout: 300_000 });
    expect(result.exitCode, result.stderr).toBe(0);
    const fromImage = JSON.parse(result.stdout) as { kver: string; modules: string[] };
    expect(fromImage.kver).toBe(built.kver);
    expect(fromImage.modules).toContain('kernel/drivers/block/virtio_blk.ko');
    expect(sha256(join(homeB, 'boot/x86_64/image-kimg/kernel'))).toBe(sha256(join(homeA, 'boot/x86_64/debian/kernel')));
  }, 300_000);

  it("names a package missing from the machine's apt lists in one line", async () => {
    await expect(candidates(['rsync', 'no-such-package-sisuite'])).rejects.toThrow(/^package no-such-package-sisuite is not in this machine's apt lists: run apt-get update/);
  });

  it('refuses a bad --kernel or a missing image in one line, writing nothing', async () => {
    const bad = await si(homeB, ['mkinstaller', '--kernel', 'vendor']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe('si: invalid --kernel "vendor": give debian or image:NAME\n');
    const missing = await si(homeB, ['mkinstaller', '--kernel', 'image:nosuch', '--cache', CACHE]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/^si: no image nosuch in this home: [^\n]+\n$/);
    expect(() => readFileSync(join(homeB, 'boot/x86_64/image-nosuch/initrd.img'))).toThrow();
  });
});

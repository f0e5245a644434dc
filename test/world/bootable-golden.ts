// A bootable Debian golden client for VM tests: kernel, GRUB for BIOS and EFI, systemd, sshd, RAID and LVM
// tools, set up for a serial console. Built once by debootstrap (minutes), cached as a tarball, extracted per test.
import { createHash } from 'node:crypto';
import { appendFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative as relativePath } from 'node:path';
import { run } from '../../src/infra/run.js';
import { debootstrap, ensureTarball, extractTarball, testCacheFolder } from './tree-cache.js';

// What a disk-booted test VM needs (TESTING.md): grub-pc and grub-efi-amd64-bin side by side (they do not
// conflict; grub-efi-amd64 would), mdadm and lvm2 so the initramfs assembles RAID1 + LVM.
export const BOOTABLE_PACKAGES = [
  'linux-image-amd64', 'grub-pc', 'grub-efi-amd64-bin', 'systemd-sysv', 'udev', 'kmod', 'openssh-server',
  'ifupdown', 'isc-dhcp-client', 'rsync', 'mdadm', 'lvm2',
] as const;

/** The golden client's host name: an installed VM that shows it on its console was not configured. */
export const GOLDEN_HOSTNAME = 'golden';

// Read by update-grub when the installer writes the bootloader: the menu and the kernel both on ttyS0, where a
// test reads them; systemd then starts a getty on ttyS0 by itself. No `quiet`: a failing boot's log says why.
const GRUB_DEFAULTS = [
  '',
  '# Test VMs: a serial console only (set by test/world/bootable-golden.ts).',
  'GRUB_TIMEOUT=1',
  'GRUB_TERMINAL=serial',
  'GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"',
  'GRUB_CMDLINE_LINUX_DEFAULT=""',
  'GRUB_CMDLINE_LINUX="console=ttyS0,115200n8"',
  '',
].join('\n');

// What a test VM never uses, removed so that every install, capture and plain-rsync comparison copies less
// (the tree goes from ~870 to ~300 MB): downloaded packages and package lists, documentation and translations,
// and the kernel modules of hardware and file systems a QEMU guest does not have. What stays covers the guest
// and an installer built from this kernel (src/core/installer/contents.ts's MODULES and their dependencies).
const TRIM_PATHS = [
  'var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale',
];
const KEEP_MODULES = {
  drivers: ['acpi', 'ata', 'base', 'block', 'cdrom', 'char', 'cpufreq', 'dax', 'edac', 'firmware', 'idle', 'input', 'md', 'nvdimm', 'nvme', 'pci', 'pps', 'ptp', 'rtc', 'tty', 'virt', 'virtio'],
  fs: ['autofs', 'btrfs', 'configfs', 'efivarfs', 'ext4', 'fat', 'fuse', 'isofs', 'jbd2', 'mbcache.ko', 'nls', 'overlayfs', 'quota', 'squashfs', 'xfs'],
  net: ['802', '8021q', 'bridge', 'core', 'ipv4', 'ipv6', 'llc', 'netfilter', 'packet', 'sched', 'unix'],
};

/** Whether a module (its path under the kernel's modules folder, e.g. `drivers/net/virtio_net.ko`) stays. */
function keepModule(relative: string): boolean {
  const [top = '', second = '', ...rest] = relative.split('/');
  if (relative.startsWith('lib/test_') || relative.startsWith('arch/x86/kvm/')) return false;
  if (top === 'drivers') {
    // SCSI and network: the drivers at the top (virtio_scsi, sd_mod, virtio_net, ...), no vendor's adapters but e1000(e).
    if (second === 'scsi') return rest.length === 1;
    if (second === 'net') return rest.length === 1 || relative.startsWith('drivers/net/ethernet/intel/e1000');
    return KEEP_MODULES.drivers.includes(second);
  }
  if (top === 'fs') return KEEP_MODULES.fs.includes(second);
  if (top === 'net') return KEEP_MODULES.net.includes(second);
  return true;
}

// The initramfs holds only what a QEMU guest's early boot loads (mdadm's and lvm2's hooks add theirs): a
// firmware reads it through BIOS disk services at a few MB/s under TCG, and Debian's MODULES=most made it 40 MB.
const INITRAMFS_CONF = 'MODULES=list\n';
const INITRAMFS_MODULES = ['virtio_pci', 'virtio_blk', 'virtio_scsi', 'ext4', 'md_mod', 'raid1', 'dm_mod'];

// The recipe names the tarball: changing a package or a setting builds a new cache instead of reusing a stale one.
const RECIPE = JSON.stringify({ packages: BOOTABLE_PACKAGES, grub: GRUB_DEFAULTS, hostname: GOLDEN_HOSTNAME, trim: [TRIM_PATHS, KEEP_MODULES, keepModule.toString()], initramfs: [INITRAMFS_CONF, INITRAMFS_MODULES] });

/** Where the cached tarball of the bootable tree lives (beside the minbase one). */
export function bootableCachePath(): string {
  const key = createHash('sha256').update(RECIPE).digest('hex').slice(0, 12);
  return join(testCacheFolder(), `bookworm-bootable-${key}.tar`);
}

/** Fills dest (created if needed) with the bootable tree; the first call on a machine builds it (~4 min). */
export async function bootableGoldenTree(dest: string): Promise<void> {
  const tarball = bootableCachePath();
  await ensureTarball(tarball, buildBootableTree);
  await extractTarball(tarball, dest);
}

/** Only the tree's /boot, extracted into dest: the kernel and initramfs for a direct-boot VM, without the ~850 MB tree. */
export async function bootableGoldenBoot(dest: string): Promise<{ kernel: string; initrd: string; version: string }> {
  const tarball = bootableCachePath();
  await ensureTarball(tarball, buildBootableTree);
  await extractTarball(tarball, dest, ['./boot']);
  return treeKernel(dest);
}

/** The tree's own kernel and initramfs (/boot/vmlinuz-*, /boot/initrd.img-*), for direct-boot VM tests. */
export async function treeKernel(root: string): Promise<{ kernel: string; initrd: string; version: string }> {
  const names = await readdir(join(root, 'boot'));
  const versions = names.filter((name) => name.startsWith('vmlinuz-')).map((name) => name.slice('vmlinuz-'.length)).sort();
  const version = versions.at(-1);
  if (!version || !names.includes(`initrd.img-${version}`)) throw new Error(`${root}/boot: no vmlinuz-* with its initrd.img-* (${names.join(' ')})`);
  return { kernel: join(root, 'boot', `vmlinuz-${version}`), initrd: join(root, 'boot', `initrd.img-${version}`), version };
}

async function buildBootableTree(dir: string): Promise<void> {
  const started = Date.now();
  await debootstrap(dir, BOOTABLE_PACKAGES);
  await appendFile(join(dir, 'etc/default/grub'), GRUB_DEFAULTS);
  // debootstrap copies the build machine's name; the golden client gets a name of its own.
  await writeFile(join(dir, 'etc/hostname'), `${GOLDEN_HOSTNAME}\n`);
  await writeFile(join(dir, 'etc/hosts'), `127.0.0.1\tlocalhost\n127.0.1.1\t${GOLDEN_HOSTNAME}\n::1\tlocalhost ip6-localhost ip6-loopback\n`);
  const { version } = await treeKernel(dir);
  await trimTree(dir, version);
  await writeFile(join(dir, 'etc/initramfs-tools/conf.d/sisuite-test'), INITRAMFS_CONF);
  await appendFile(join(dir, 'etc/initramfs-tools/modules'), `${INITRAMFS_MODULES.join('\n')}\n`);
  await run(['chroot', dir, 'update-initramfs', '-u', '-k', version]);
  const { stdout } = await run(['du', '-sm', dir]);
  process.stderr.write(`bootable golden tree: built in ${Math.round((Date.now() - started) / 1000)} s, ${stdout.split('\t')[0]} MB\n`);
}

async function trimTree(dir: string, version: string): Promise<void> {
  for (const path of TRIM_PATHS) {
    const folder = join(dir, path);
    // The folders stay (apt and dpkg expect them); what is in them goes.
    for (const entry of await readdir(folder).catch(() => [] as string[])) await rm(join(folder, entry), { recursive: true, force: true });
  }
  const modules = join(dir, 'usr/lib/modules', version, 'kernel');
  const files = (await readdir(modules, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
  for (const file of files) {
    const path = relativePath(modules, join(file.parentPath, file.name));
    if (!keepModule(path)) await rm(join(modules, path));
  }
  await run(['find', modules, '-mindepth', '1', '-type', 'd', '-empty', '-delete']);
  await run(['depmod', '--basedir', dir, version]);
}

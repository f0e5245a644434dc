// The VM harness itself: QEMU (TCG) in the world's server namespace, NIC on its bridge, serial console read from a file.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, succeeds } from '../../src/infra/run.js';
import { bootableGoldenBoot, treeKernel } from '../world/bootable-golden.js';
import { bootableImage } from '../world/bootable-image.js';
import { createWorld, type World } from '../world/netns.js';
import { startVm, type Vm } from '../world/qemu.js';

describe('VM harness', () => {
  let world: World;
  let work: string;
  let boot: { kernel: string; initrd: string; version: string };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'si-vm-smoke-'));
    boot = await bootableGoldenBoot(join(work, 'tree'));
    world = await createWorld({ prefix: 'sivm' });
  });

  afterAll(async () => {
    await world?.destroy();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** After stop(): no QEMU (nor its `timeout`) left, no tap on the bridge, the disks the VM made itself gone. */
  async function expectGone(vm: Vm): Promise<void> {
    expect(existsSync(`/proc/${vm.pid}`), 'the QEMU process').toBe(false);
    expect((await world.server.processes()).filter((line) => /qemu|timeout/.test(line))).toEqual([]);
    expect(await succeeds(['ip', '-n', world.server.name, 'link', 'show', vm.tap]), 'the tap').toBe(false);
    for (const disk of vm.disks.filter((path) => !path.startsWith(`${work}/`))) expect(existsSync(disk), disk).toBe(false);
  }

  it("boots the golden tree's own kernel and initramfs to the initramfs shell, then leaves nothing behind", async () => {
    const started = Date.now();
    const vm = await startVm({
      ns: world.server,
      name: 'smoke',
      mac: '52:54:00:5a:00:01',
      disks: [{ sizeMiB: 64 }],
      kernel: boot.kernel,
      initrd: boot.initrd,
      // No root=: initramfs-tools stops with "No root device specified" and opens its shell on the console.
      append: 'console=ttyS0,115200n8',
    });
    try {
      expect((await world.server.run(['ip', '-o', 'link', 'show', 'dev', vm.tap])).stdout).toContain('master br0');
      expect(existsSync(vm.disks[0] as string)).toBe(true);
      await vm.waitForSerial(/Linux version \S+/, { timeoutMs: 120_000 });
      const kernelUp = Date.now();
      const init = await vm.waitForSerial(/Run \/init as init process/, { timeoutMs: 180_000 });
      const initAt = Date.now();
      await vm.waitForSerial(/\(initramfs\)/, { timeoutMs: 240_000, since: init.index });
      const shellAt = Date.now();
      expect(vm.serial()).toContain(`Linux version ${boot.version}`);
      expect(vm.serialTail(5)).toMatch(/\(initramfs\)/);
      const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      process.stdout.write(
        `vm-smoke: kernel banner ${seconds(kernelUp - started)}, /init ${seconds(initAt - started)}, (initramfs) prompt ${seconds(shellAt - started)}\n`,
      );
    } finally {
      const stopStart = Date.now();
      await vm.stop();
      process.stdout.write(`vm-smoke: stop ${((Date.now() - stopStart) / 1000).toFixed(1)} s\n`);
    }
    await expectGone(vm);
  });

  /** Packets the VM has sent on its tap (what the bridge received from it). */
  async function sentByVm(vm: Vm): Promise<number> {
    const { stdout } = await world.server.run(['ip', '-j', '-s', 'link', 'show', 'dev', vm.tap]);
    return (JSON.parse(stdout) as { stats64: { rx: { packets: number } } }[])[0]?.stats64.rx.packets ?? 0;
  }

  /** Waits until the VM's NIC has put packets (its firmware's DHCP requests) on the world's bridge. */
  async function waitForPackets(vm: Vm, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const packets = await sentByVm(vm);
      if (packets > 0) return packets;
      await new Promise((done) => setTimeout(done, 500));
    }
    throw new Error(`VM ${vm.name}: no packet on the bridge within ${timeoutMs / 1000} s; serial console ends with:\n${vm.serialTail()}`);
  }

  it.each([
    { firmware: 'bios' as const, bootFrom: 'network' as const, boot: /^(?![\s\S]*Booting from Hard Disk)[\s\S]*iPXE \(PCI \S+\) starting execution/, what: "the NIC ROM's iPXE first" },
    { firmware: 'bios' as const, bootFrom: 'disk' as const, boot: /Booting from Hard Disk[\s\S]*iPXE \(PCI \S+\) starting execution/, what: 'the empty disk first, then the NIC' },
    { firmware: 'uefi' as const, bootFrom: 'network' as const, boot: /Start PXE over IPv4/, what: "OVMF's own PXE" },
  ])('boots $firmware from $bootFrom ($what): its DHCP requests reach the bridge', async ({ firmware, bootFrom, boot }) => {
    const started = Date.now();
    const vm = await startVm({ ns: world.server, name: `net${firmware}${bootFrom.slice(0, 4)}`, mac: '52:54:00:5a:00:02', disks: [{ sizeMiB: 16 }], firmware, bootFrom });
    try {
      await vm.waitForSerial(boot, { timeoutMs: 240_000 });
      const bootAt = Date.now();
      expect(await waitForPackets(vm, 120_000)).toBeGreaterThan(0);
      process.stdout.write(`vm-smoke ${firmware} from ${bootFrom}: network boot starts ${((bootAt - started) / 1000).toFixed(1)} s, first packets ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } finally {
      await vm.stop();
    }
    await expectGone(vm);
  });

  it('says at once, with the console so far, when QEMU exits before the awaited line', async () => {
    const vm = await startVm({ ns: world.server, name: 'broken', mac: '52:54:00:5a:00:03', kernel: join(work, 'no-such-kernel') });
    try {
      const started = Date.now();
      await expect(vm.waitForSerial(/never/, { timeoutMs: 120_000 })).rejects.toThrow(/VM broken: \/never\/ QEMU exited first \(.*no-such-kernel/s);
      expect(Date.now() - started).toBeLessThan(60_000);
    } finally {
      await vm.stop();
    }
    await expectGone(vm);
  });

  it('boots the captured image from a virtio disk to its login prompt, and its sshd answers on the bridge', async () => {
    const home = join(work, 'home');
    const image = await bootableImage({ siHome: home });
    const disk = join(work, 'root.raw');
    const mnt = join(work, 'mnt');
    const address = `${world.subnet}.50`;
    const copyStart = Date.now();
    // One ext4 file system on the whole disk, no partition table: this host's kernel parses none.
    await run(['truncate', '-s', '2048M', disk]);
    await run(['mkfs.ext4', '-q', '-F', disk]);
    await mkdir(mnt);
    await run(['mount', '-o', 'loop', disk, mnt]);
    try {
      await run(['rsync', '-aHAX', '--numeric-ids', `${image.root}/`, `${mnt}/`]);
      await writeFile(join(mnt, 'etc/fstab'), '/dev/vda / ext4 defaults 0 1\n');
      await writeFile(join(mnt, 'etc/network/interfaces'), `auto lo\niface lo inet loopback\nauto eth0\niface eth0 inet static\n  address ${address}/24\n`);
    } finally {
      await run(['umount', mnt]);
    }
    const copied = Date.now();
    const { kernel, initrd } = await treeKernel(image.root);
    const vm = await startVm({
      ns: world.server,
      name: 'disk',
      mac: '52:54:00:5a:00:04',
      disks: [{ sizeMiB: 2048, path: disk }],
      kernel,
      initrd,
      append: 'root=/dev/vda rw console=ttyS0,115200n8 net.ifnames=0',
    });
    try {
      await vm.waitForSerial(new RegExp(`${image.goldenHostname} login:`), { timeoutMs: 400_000 });
      const login = Date.now();
      const keys = await waitForKeyscan(address, 120_000);
      expect(keys.sort()).toEqual([...image.goldenHostKeys].sort());
      process.stdout.write(
        `vm-smoke disk: image onto disk ${((copied - copyStart) / 1000).toFixed(1)} s, boot to login ${((login - copied) / 1000).toFixed(1)} s, sshd answered ${((Date.now() - copied) / 1000).toFixed(1)} s\n`,
      );
    } finally {
      await vm.stop();
    }
    await expectGone(vm);
    expect(existsSync(disk), 'a disk the caller gave is kept').toBe(true);
  });

  /** ssh-keyscan from the server namespace until the VM's sshd hands out its host keys (`type base64`). */
  async function waitForKeyscan(address: string, timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { stdout } = await world.server.run(['ssh-keyscan', '-T', '3', address], { timeout: 10_000 }).catch(() => ({ stdout: '' }));
      const keys = stdout.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => line.split(/\s+/).slice(1, 3).join(' '));
      if (keys.length > 0) return keys;
      await new Promise((done) => setTimeout(done, 1000));
    }
    throw new Error(`sshd at ${address} did not answer within ${timeoutMs / 1000} s`);
  }
});

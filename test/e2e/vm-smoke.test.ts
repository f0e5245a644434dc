// The VM harness itself: QEMU (TCG) in the world's server namespace, NIC on its bridge, serial console read from a file.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { succeeds } from '../../src/infra/run.js';
import { bootableGoldenBoot } from '../world/bootable-golden.js';
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
});

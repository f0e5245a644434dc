// The whole netboot path under UEFI (OVMF), as a user runs it: the firmware's own PXE gets snponly.efi by
// TFTP, iPXE gets boot.ipxe and the per-MAC script over HTTP, and the installer installs `golden-efi` (the
// bootable golden client as one installed under UEFI is captured: with /boot/efi/EFI, so the configurator
// picks grub-efi) onto an empty virtio disk with an ESP, while `si monitor --json` shows its phases through
// 100 %. The machine stays network first: after the reboot it netboots again, is served its local boot (iPXE
// fails back to the firmware, which tries its next boot option), and GRUB from the ESP's fallback loader
// boots it as itself: its own host name on the console, its sshd on its address with host keys that are not
// the golden client's. Then the copy rate against a plain rsync of the same image inside the same VM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVm, type Vm } from '../world/qemu.js';
import { startNetbootLab, type NetbootLab } from '../world/netboot-lab.js';

const MAC = '52:54:00:5e:02:01';
const HOST = 'node001';
/** Bounds for a loaded 2-core machine, not expectations (TESTING.md: UEFI PXE 20-40 s, install 70-120 s, boot ~30-46 s). */
const INSTALLER_BOUND_MS = 300_000;
const INSTALL_BOUND_MS = 900_000;
const LOGIN_BOUND_MS = 400_000;
/** The whole test's bound: the sum of the above, the ssh checks and the plain rsync, on a loaded machine. */
const TEST_BOUND_MS = 45 * 60_000;

describe('netboot install, UEFI', () => {
  let lab: NetbootLab;
  let vm: Vm | undefined;

  beforeAll(async () => {
    lab = await startNetbootLab({ prefix: 'nbu', firmware: 'uefi' });
    await lab.addHost(HOST, MAC, 22);
    await lab.render();
  });

  afterAll(async () => {
    await vm?.stop();
    await lab?.stop();
  });

  it('firmware PXE -> snponly.efi -> installer, installs grub-efi on an ESP with its progress in si monitor; network first, the next netboot is served local boot and it comes up from its disk as itself', async () => {
    const ip = `${lab.world.subnet}.22`;
    vm = await startVm({ ns: lab.world.server, name: 'uefi1', mac: MAC, disks: [{ sizeMiB: 4096 }], firmware: 'uefi', memoryMiB: 1024 });
    const t0 = Date.now();

    await vm.waitForSerial(/si-installer: phase modules/, { timeoutMs: INSTALLER_BOUND_MS });
    const tInstaller = Date.now();
    // The firmware's own PXE fetched iPXE by TFTP (not a NIC ROM's iPXE), then iPXE its scripts over HTTP.
    expect(vm.serial()).toMatch(/Start PXE over IPv4/);
    const hyphens = MAC.replaceAll(':', '-');
    const scriptRequests = () => lab.requestLog().split('\n').filter((line) => line.includes(`/ipxe/${hyphens}.ipxe 200`));
    for (const request of [`TFTP \\S+ ${MAC} /snponly\\.efi 200`, `HTTP \\S+ ${MAC} /boot\\.ipxe 200`, `HTTP \\S+ ${MAC} /ipxe/${hyphens}\\.ipxe 200`]) {
      expect(lab.requestLog(), request).toMatch(new RegExp(request));
    }

    // Watch the monitor while it installs: every phase and percent it shows, until installed or failed.
    const { seen, last } = await lab.watchInstall(HOST, vm, INSTALL_BOUND_MS);
    expect(last?.state, `${JSON.stringify(last)}\n${vm.serialTail(40)}`).toBe('installed');
    const tInstalled = Date.now();
    // What the monitor showed while polling (a short phase can fall between two polls) ...
    expect(seen.some((row) => row.state === 'installing' && row.phase === 'copy' && (row.percent ?? 0) > 0 && (row.percent ?? 0) < 100), JSON.stringify(seen)).toBe(true);
    // ... and the whole history it keeps in the registry: every phase, in order.
    const phases = lab.installPhases(HOST);
    expect(phases, phases.join(' ')).toEqual(expect.arrayContaining(['fetch', 'partition', 'mkfs', 'mount', 'copy', 'configure', 'bootloader', 'report']));
    expect(phases.indexOf('partition')).toBeLessThan(phases.indexOf('copy'));
    expect(phases.indexOf('copy')).toBeLessThan(phases.indexOf('bootloader'));
    expect(last?.percent).toBe(100);
    // The whole image went over (rsync counts the files' data; du also counts the directories).
    expect(last?.bytes ?? 0).toBeGreaterThan(0.9 * lab.image.bytes);

    // After the reboot the firmware netboots first again; the host is installed, so its script is the local
    // boot, and the firmware goes on to the disk, whose ESP now has GRUB.
    const scriptsBefore = scriptRequests().length;
    const restart = await vm.waitForSerial(/reboot: (Restarting system|machine restart)/, { timeoutMs: 120_000 });
    const login = await vm.waitForSerial(new RegExp(`${HOST} login:`), { timeoutMs: LOGIN_BOUND_MS, since: restart.index });
    const tLogin = Date.now();
    const reboot = vm.serial().slice(restart.index, login.index);
    expect(vm.serial().slice(0, login.index)).not.toMatch(new RegExp(`${lab.image.goldenHostname} login:`));
    expect(reboot, reboot.slice(-3000)).toMatch(/Start PXE over IPv4/);
    expect(reboot, reboot.slice(-3000)).not.toMatch(/si-installer: phase/);
    // OVMF started the disk's own boot option (virtio-blk is its "UEFI Misc Device"), whose fallback loader is GRUB.
    const diskOption = /BdsDxe: starting Boot[0-9A-F]{4} "UEFI Misc Device"/.exec(reboot);
    expect(diskOption, reboot.slice(-3000)).not.toBeNull();
    expect(reboot.slice(diskOption!.index), reboot.slice(-3000)).toMatch(/Welcome to GRUB!/);
    expect(scriptRequests().length, lab.requestLog()).toBeGreaterThan(scriptsBefore);
    const client = (await lab.si(['client', 'show', HOST, '--json'])) as unknown as { bootMode: string; installState: string; lastInstall: { state: string; seconds: number } };
    expect(client).toMatchObject({ bootMode: 'local', installState: 'installed', lastInstall: { state: 'installed' } });

    // Its sshd answers on its address with keys of its own.
    const key = await lab.hostKey(ip, 180_000);
    expect(key, `no ssh-ed25519 host key from the installed host\n${vm.serialTail(40)}`).toBeDefined();
    expect(lab.image.goldenHostKeys.map((k) => k.split(' ').slice(0, 2).join(' '))).not.toContain(key);
    const hostname = await lab.ssh(ip, ['hostname']);
    expect(hostname.stdout.trim(), hostname.stderr).toBe(HOST);
    // Booted under UEFI, from the ESP grub-install filled: the fallback loader (no NVRAM entry needed) and GRUB's
    // EFI modules. (ssh joins its arguments into one remote shell command line.)
    const efi = await lab.ssh(ip, ['ls -d /sys/firmware/efi; findmnt -n -o FSTYPE /boot/efi; ls /boot/efi/EFI/BOOT; ls /boot/grub']);
    const seenEfi = `${efi.stdout}\n${efi.stderr}`;
    expect(efi.stdout, seenEfi).toMatch(/^\/sys\/firmware\/efi$/m);
    expect(efi.stdout, seenEfi).toMatch(/^vfat$/m);
    expect(efi.stdout, seenEfi).toMatch(/^BOOTX64\.EFI$/im);
    expect(efi.stdout, seenEfi).toMatch(/^x86_64-efi$/m);

    // The same image by a plain rsync inside the same VM, for the rate.
    const copy = await lab.copyAgainstPlainRsync(ip, last);
    const s = (ms: number) => (ms / 1000).toFixed(1);
    console.log(
      `UEFI netboot install: power-on -> installer ${s(tInstaller - t0)} s, install ${s(tInstalled - tInstaller)} s, reboot -> login ${s(tLogin - tInstalled)} s; ` + copy,
    );
  }, TEST_BOUND_MS);
});

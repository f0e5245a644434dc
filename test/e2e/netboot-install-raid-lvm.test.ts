// A BIOS VM with two empty virtio disks netboots from `si netboot serve` and installs the bootable golden image
// with a RAID1 + LVM layout set by `si layout set --image` (test/fixtures/layouts/raid1-lvm-bios.json: on each
// disk a bios_grub partition and a RAID member; md0 mirrors them; volume group vg0 on md0 holds swap and root),
// while `si monitor --json` shows its phases (raid and lvm among them) through 100 %. It reboots, is served
// "local boot", GRUB on the first disk boots root from the LV on the mirror, and the host comes up as itself:
// over ssh /proc/mdstat shows md0 with both members, lvs the volumes, findmnt / the root LV.
// Then the copy rate against a plain rsync of the same image inside the same VM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { startVm, type Vm } from '../world/qemu.js';
import { startNetbootLab, type NetbootLab } from '../world/netboot-lab.js';

const MAC = '52:54:00:5e:03:01';
const LAYOUT = fileURLToPath(new URL('../fixtures/layouts/raid1-lvm-bios.json', import.meta.url));
const HOST = 'node001';
/** Bounds for a loaded 2-core machine, not expectations (TESTING.md: PXE ~13 s, RAID1 + LVM install ~175 s, boot ~30-46 s). */
const INSTALLER_BOUND_MS = 300_000;
const INSTALL_BOUND_MS = 900_000;
const LOGIN_BOUND_MS = 400_000;
/** The whole test's bound: the sum of the above, the ssh checks and the plain rsync, on a loaded machine. */
const TEST_BOUND_MS = 45 * 60_000;

describe('netboot install, RAID1 + LVM on two disks', () => {
  let lab: NetbootLab;
  let vm: Vm | undefined;

  beforeAll(async () => {
    lab = await startNetbootLab({ prefix: 'nbr' });
    await lab.addHost(HOST, MAC, 23);
    await lab.si(['layout', 'check', '--file', LAYOUT, '--image', lab.image.name, '--disk-size', '2GiB', '--disk-size', '2GiB']);
    await lab.si(['layout', 'set', '--image', lab.image.name, '--file', LAYOUT]);
    await lab.render();
  });

  afterAll(async () => {
    await vm?.stop();
    await lab?.stop();
  });

  it('installs RAID1 + LVM on two disks with its progress in si monitor, and boots from them: the mirror with both members, the volumes, / on the LV', async () => {
    const ip = `${lab.world.subnet}.23`;
    vm = await startVm({ ns: lab.world.server, name: 'raid1', mac: MAC, disks: [{ sizeMiB: 2048 }, { sizeMiB: 2048 }], firmware: 'bios', bootFrom: 'network', memoryMiB: 1024 });
    const t0 = Date.now();

    await vm.waitForSerial(/si-installer: phase modules/, { timeoutMs: INSTALLER_BOUND_MS });
    const tInstaller = Date.now();

    // Watch the monitor while it installs: every phase and percent it shows, until installed or failed.
    const { seen, last } = await lab.watchInstall(HOST, vm, INSTALL_BOUND_MS);
    expect(last?.state, `${JSON.stringify(last)}\n${vm.serialTail(40)}`).toBe('installed');
    const tInstalled = Date.now();
    // What the monitor showed while polling (a short phase can fall between two polls) ...
    expect(seen.some((row) => row.state === 'installing' && row.phase === 'copy' && (row.percent ?? 0) > 0 && (row.percent ?? 0) < 100), JSON.stringify(seen)).toBe(true);
    // ... and the whole history it keeps in the registry: every phase, in order.
    const phases = lab.installPhases(HOST);
    expect(phases, phases.join(' ')).toEqual(expect.arrayContaining(['fetch', 'partition', 'raid', 'lvm', 'mkfs', 'mount', 'copy', 'configure', 'bootloader', 'report']));
    expect(phases.indexOf('partition')).toBeLessThan(phases.indexOf('copy'));
    expect(phases.indexOf('copy')).toBeLessThan(phases.indexOf('bootloader'));
    expect(phases.indexOf('raid')).toBeLessThan(phases.indexOf('lvm'));
    expect(phases.indexOf('lvm')).toBeLessThan(phases.indexOf('mkfs'));
    expect(last?.percent).toBe(100);
    // The whole image went over (rsync counts the files' data; du also counts the directories).
    expect(last?.bytes ?? 0).toBeGreaterThan(0.9 * lab.image.bytes);

    // After the reboot the firmware netboots again; the registry now answers "boot from the local disk".
    const login = await vm.waitForSerial(new RegExp(`${HOST} login:`), { timeoutMs: LOGIN_BOUND_MS });
    const tLogin = Date.now();
    expect(vm.serial().slice(0, login.index)).not.toMatch(new RegExp(`${lab.image.goldenHostname} login:`));
    const hyphens = MAC.replaceAll(':', '-');
    const scriptRequests = lab.requestLog().split('\n').filter((line) => line.includes(`/ipxe/${hyphens}.ipxe 200`));
    expect(scriptRequests.length, lab.requestLog()).toBeGreaterThanOrEqual(2);
    expect(vm.serial()).toMatch(/Boot from the local disk/);
    const client = (await lab.si(['client', 'show', HOST, '--json'])) as unknown as { bootMode: string; installState: string; lastInstall: { state: string; seconds: number } };
    expect(client).toMatchObject({ bootMode: 'local', installState: 'installed', lastInstall: { state: 'installed' } });

    // Its sshd answers on its address with keys of its own.
    const key = await lab.hostKey(ip, 180_000);
    expect(key, `no ssh-ed25519 host key from the installed host\n${vm.serialTail(40)}`).toBeDefined();
    expect(lab.image.goldenHostKeys.map((k) => k.split(' ').slice(0, 2).join(' '))).not.toContain(key);
    const hostname = await lab.ssh(ip, ['hostname']);
    expect(hostname.stdout.trim(), hostname.stderr).toBe(HOST);

    // The mirror with both members up, the volumes on it, and / on the root LV.
    const mdstat = await lab.ssh(ip, ['cat', '/proc/mdstat']);
    expect(mdstat.exitCode, mdstat.stderr).toBe(0);
    const array = /^(md\d+) : active raid1 (.*)\n\s+\d+ blocks .*\[2\/2\] \[UU\]/m.exec(mdstat.stdout);
    expect(array, mdstat.stdout).not.toBeNull();
    expect(array![2]!.split(' ').map((member) => member.replace(/\[\d+\]$/, '')).sort(), mdstat.stdout).toEqual(['vda2', 'vdb2']);
    const detail = await lab.ssh(ip, ['mdadm', '--detail', `/dev/${array![1]}`]);
    expect(detail.stdout, detail.stderr).toMatch(new RegExp(`Name : ${HOST}:md0\\b`));
    const lvs = await lab.ssh(ip, ['lvs', '--noheadings', '--separator', ',', '-o', 'vg_name,lv_name,lv_active,devices']);
    expect(lvs.exitCode, lvs.stderr).toBe(0);
    const volumes = lvs.stdout.trim().split('\n').map((line) => line.trim().split(','));
    expect(volumes.map(([vg, lv, active]) => `${vg}/${lv} ${active}`).sort(), lvs.stdout).toEqual(['vg0/root active', 'vg0/swap active']);
    for (const [, , , devices] of volumes) expect(devices, lvs.stdout).toMatch(new RegExp(`^/dev/${array![1]}\\(`));
    const root = await lab.ssh(ip, ['findmnt', '-n', '-o', 'SOURCE,FSTYPE', '/']);
    expect(root.stdout.trim().split(/\s+/), root.stderr).toEqual(['/dev/mapper/vg0-root', 'ext4']);
    const swap = await lab.ssh(ip, ['swapon', '--show=NAME', '--noheadings']);
    expect(swap.stdout.trim(), swap.stderr).toMatch(/^\/dev\/(mapper\/vg0-swap|dm-\d+)$/);

    // The same image by a plain rsync inside the same VM, for the rate.
    const copy = await lab.copyAgainstPlainRsync(ip, last);
    const s = (ms: number) => (ms / 1000).toFixed(1);
    console.log(
      `RAID1 + LVM netboot install (BIOS, 2 x 2 GiB): power-on -> installer ${s(tInstaller - t0)} s, install ${s(tInstalled - tInstaller)} s, reboot -> login ${s(tLogin - tInstalled)} s; ` + copy,
    );
  }, TEST_BOUND_MS);
});

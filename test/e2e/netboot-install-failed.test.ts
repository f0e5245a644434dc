// A failed install and its recovery under BIOS: the rsync daemon stops midway through the copy; the monitor
// shows `failed` in phase copy and the installer's console the failure and a shell. With the daemon back and
// the host re-armed (`si client set HOST --boot install`), the same VM on the same disk reinstalls cleanly
// and boots to `HOST login:`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { startVm, type Vm } from '../world/qemu.js';
import { startNetbootLab, type MonitorRow, type NetbootLab } from '../world/netboot-lab.js';

const MAC = '52:54:00:5e:03:01';
const HOST = 'node001';
/** Bounds for a loaded 2-core machine, not expectations (TESTING.md: PXE ~13 s, install 70-120 s, boot ~30 s; here under load 16, the boot from disk took 213 s and more: GRUB read the initrd, then 40 MB, through the BIOS). */
const INSTALLER_BOUND_MS = 300_000;
const INSTALL_BOUND_MS = 900_000;
const LOGIN_BOUND_MS = 900_000;
/** The whole test: the bounds above add up past vitest's default of 10 min. */
/** Where the daemon is stopped: well into the copy, not at its first byte. */
const MIDWAY_PERCENT = 10;
const TEST_BOUND_MS = 4_200_000;

describe('netboot install, BIOS, the rsync daemon stopped midway', () => {
  let lab: NetbootLab;
  let vm: Vm | undefined;

  /** Polls `si monitor --json --once` for HOST until `done` holds (every row seen kept), within the bound. */
  const watch = async (done: (row: MonitorRow) => boolean, seen: MonitorRow[] = []): Promise<MonitorRow | undefined> => {
    const deadline = Date.now() + INSTALL_BOUND_MS;
    let last: MonitorRow | undefined;
    while (Date.now() < deadline && vm?.running()) {
      last = (await lab.monitor()).find((row) => row.host === HOST);
      if (last) seen.push(last);
      if (last && done(last)) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    return last;
  };
  /** `si ... --json`, parsed by the lab. */
  const json = (args: string[]) => lab.si<Record<string, unknown> | unknown[]>(args);

  beforeAll(async () => {
    lab = await startNetbootLab({ prefix: 'nbf' });
    await lab.addHost(HOST, MAC, 21);
    await lab.render();
  });

  afterAll(async () => {
    await vm?.stop();
    await lab?.stop();
  });

  it('shows failed in phase copy with a shell on the console, then reinstalls on the same disk once re-armed', async () => {
    // The disk outlives the first VM: the second boots from the same file.
    const disk = { sizeMiB: 4096, path: path.join(lab.work, 'disk0.raw') };
    vm = await startVm({ ns: lab.world.server, name: 'fail1', mac: MAC, disks: [disk], firmware: 'bios', bootFrom: 'network', memoryMiB: 1024 });
    const t0 = Date.now();
    await vm.waitForSerial(/si-installer: phase modules/, { timeoutMs: INSTALLER_BOUND_MS });

    const copying = await watch((row) => row.state === 'failed' || row.state === 'installed' || (row.phase === 'copy' && (row.percent ?? 0) >= MIDWAY_PERCENT));
    expect(copying, `${JSON.stringify(copying)}\n${vm.serialTail(30)}`).toMatchObject({ state: 'installing', phase: 'copy' });
    const stoppedAt = copying!.percent;
    await lab.stopRsyncd();
    const tStopped = Date.now();

    const failed = await watch((row) => row.state !== 'installing');
    expect(failed, `${JSON.stringify(failed)}\n${vm.serialTail(40)}`).toMatchObject({ state: 'failed', phase: 'copy' });
    expect(failed!.percent ?? 0).toBeLessThan(100);
    const tFailed = Date.now();
    // The console names the phase and leaves a shell there; the disk is kept as the copy left it.
    const failure = await vm.waitForSerial(/si-installer: FAILED in phase install/, { timeoutMs: 120_000 });
    await vm.waitForSerial(/exit the shell to reboot/, { timeoutMs: 60_000, since: failure.index });
    expect(vm.serial()).toMatch(/si: phase copy failed/);
    expect(vm.running()).toBe(true);
    expect(await json(['client', 'show', HOST, '--json'])).toMatchObject({ bootMode: 'install', installState: 'failed' });

    // The daemon back, the host re-armed, the machine reset (a new VM on the same disk).
    await lab.startRsyncd();
    await lab.si(['client', 'set', HOST, '--boot', 'install']);
    await vm.stop();
    vm = await startVm({ ns: lab.world.server, name: 'fail2', mac: MAC, disks: [disk], firmware: 'bios', bootFrom: 'network', memoryMiB: 1024 });
    const t1 = Date.now();
    await vm.waitForSerial(/si-installer: phase modules/, { timeoutMs: INSTALLER_BOUND_MS });
    const tInstaller = Date.now();
    // The row shows the failed run until the new one reports: wait for the new run, then for its end.
    const seen: MonitorRow[] = [];
    const again = await watch((row) => row.state === 'installing', seen);
    expect(again, `${JSON.stringify(again)}\n${vm.serialTail(40)}`).toMatchObject({ state: 'installing' });
    const done = await watch((row) => row.state !== 'installing', seen);
    expect(done, `${JSON.stringify(done)}\n${vm.serialTail(40)}`).toMatchObject({ state: 'installed', percent: 100 });
    expect(seen.some((row) => row.state === 'installing' && row.phase === 'copy')).toBe(true);
    const tInstalled = Date.now();

    const login = await vm.waitForSerial(new RegExp(`${HOST} login:`), { timeoutMs: LOGIN_BOUND_MS });
    const tLogin = Date.now();
    expect(vm.serial().slice(0, login.index)).toMatch(/Boot from the local disk/);
    expect(await json(['client', 'show', HOST, '--json'])).toMatchObject({ bootMode: 'local', installState: 'installed', lastInstall: { state: 'installed' } });
    const hostname = await lab.ssh(`${lab.world.subnet}.21`, ['hostname']);
    expect(hostname.stdout.trim(), hostname.stderr).toBe(HOST);

    // The reinstall's copy against a plain rsync of the same image inside the same VM.
    const copy = await lab.copyAgainstPlainRsync(`${lab.world.subnet}.21`, done);
    const s = (ms: number) => (ms / 1000).toFixed(1);
    console.log(
      `BIOS failed install: daemon stopped at ${stoppedAt} % of the copy, ${s(tStopped - t0)} s after power-on; failed shown after ${s(tFailed - tStopped)} s; ` +
        `reinstall: power-on -> installer ${s(tInstaller - t1)} s, install ${s(tInstalled - tInstaller)} s, reboot -> login ${s(tLogin - tInstalled)} s; ${copy}`,
    );
  }, TEST_BOUND_MS);
});

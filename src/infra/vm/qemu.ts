// A QEMU VM inside a private namespace: its NIC a tap on the namespace's bridge, raw sparse disks, the serial
// console to a file. (Moved here from test/world/qemu.ts's startVm.)
import fs from 'node:fs';
import path from 'node:path';
import { OVMF_VARS, vmArgv, type Accel, type Firmware } from '../../core/imagetest/vm-argv.js';
import { capture, run, startProcess, type ProcessHandle } from '../run.js';
import type { PrivateNet } from './netns.js';

export interface VmOptions {
  net: PrivateNet;
  /** Lower-case letters and digits, at most 12: the tap is `tap<name>`. */
  name: string;
  mac: string;
  /** Folder for the disks, the serial log and the UEFI variables (the caller removes it). */
  work: string;
  diskSizesMiB: readonly number[];
  firmware: Firmware;
  accel: Accel;
  memoryMiB?: number;
  /** QEMU is killed after this long whatever happens (`timeout`: also when si itself is gone). */
  timeoutMs: number;
}

export interface Vm {
  readonly serialLog: string;
  running(): boolean;
  /** The serial console so far. */
  serial(): string;
  /** QEMU's own messages (why it would not start). */
  output(): string;
  /** Kills QEMU (its process group) and removes the tap. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts the VM: network boot first, then the disks. Always stop() it. */
export async function startVm(options: VmOptions): Promise<Vm> {
  const { net, name, mac, work, firmware } = options;
  if (!/^[a-z0-9]{1,12}$/.test(name)) throw new Error(`startVm: bad name ${name}`);
  const tap = `tap${name}`;
  const serialLog = path.join(work, 'serial.log');
  const disks = options.diskSizesMiB.map((_, index) => path.join(work, `disk${index}.raw`));
  for (const [index, disk] of disks.entries()) await run(['truncate', '-s', `${options.diskSizesMiB[index]}M`, disk]);
  let vars: string | undefined;
  if (firmware === 'uefi') {
    vars = path.join(work, 'OVMF_VARS_4M.fd');
    fs.copyFileSync(OVMF_VARS, vars);
  }
  fs.writeFileSync(serialLog, '');
  await net.addTap(tap);
  let qemu: ProcessHandle | undefined;
  const removeTap = async () => {
    await run(net.inside(['ip', 'link', 'delete', tap])).catch(() => undefined);
  };
  try {
    const argv = vmArgv({ accel: options.accel, firmware, tap, mac, serialLog, disks, vars, memoryMiB: options.memoryMiB });
    const seconds = Math.ceil(options.timeoutMs / 1000);
    qemu = startProcess(net.inside(['timeout', '--kill-after=10', String(seconds), ...argv]), { group: true, stderrTailBytes: 8192 });
    const started = qemu;
    let stopping: Promise<void> | undefined;
    return {
      serialLog,
      running: () => started.running(),
      serial: () => (fs.existsSync(serialLog) ? fs.readFileSync(serialLog, 'latin1') : ''),
      output: () => started.stderrTail(),
      stop: () =>
        (stopping ??= (async () => {
          await started.stop({ graceMs: 5000 });
          await removeTap();
        })()),
    };
  } catch (error) {
    await qemu?.stop({ graceMs: 1000 });
    await removeTap();
    throw error;
  }
}

/**
 * Whether QEMU can use KVM here: /dev/kvm opens read-write and a QEMU with `-accel kvm` comes up (it is stopped
 * at once). An error from QEMU (no KVM support, no permission) comes back within a second or two.
 */
export async function kvmUsable(): Promise<boolean> {
  try {
    fs.accessSync('/dev/kvm', fs.constants.R_OK | fs.constants.W_OK);
  } catch {
    return false;
  }
  const probe = await capture(['timeout', '5', 'qemu-system-x86_64', '-accel', 'kvm', '-machine', 'none', '-display', 'none', '-nodefaults', '-S']);
  // 124: still running when timeout stopped it, i.e. it started.
  return probe.exitCode === 124;
}

// QEMU VMs for end-to-end tests: a TCG guest whose NIC is a tap on the world's bridge, raw disks, serial to a file.
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleTail } from '../../src/core/imagetest/console-stages.js';
import { OVMF_VARS, vmArgv } from '../../src/core/imagetest/vm-argv.js';
import { run, succeeds } from '../../src/infra/run.js';
import { waitFor } from '../support/wait.js';
import type { Daemon } from './daemon.js';
import type { Netns } from './netns.js';

// A bound for a VM nobody stops (a test killed midway): `timeout` ends QEMU even if the test process is gone.
const DEFAULT_TIMEOUT_MS = 30 * 60_000;

export interface VmDisk {
  sizeMiB: number;
  /** A raw file that outlives the VM (a second boot from the same disk); created with truncate if missing. Default: in the VM's temp dir, removed by stop(). */
  path?: string;
}

export interface VmOptions {
  /** The namespace holding the bridge (the world's server). */
  ns: Netns;
  /** Lower-case letters and digits, at most 12: it names the tap (`tap<name>`) and the temp dir. */
  name: string;
  mac: string;
  disks?: VmDisk[];
  firmware?: 'bios' | 'uefi';
  /** First boot device: the NIC's PXE (BIOS: the NIC ROM's iPXE; UEFI: OVMF's own PXE/HTTP boot) or the first disk. */
  bootFrom?: 'network' | 'disk';
  /** UEFI only: skip OVMF's PXEv4 so it goes straight to HTTP boot. */
  httpBoot?: boolean;
  /** Direct boot (quick installer tests): QEMU loads this kernel itself, no firmware boot device. */
  kernel?: string;
  initrd?: string;
  append?: string;
  /** Where the serial console goes; default: serial.log in the VM's temp dir (removed by stop()). */
  serialLog?: string;
  memoryMiB?: number;
  cpus?: number;
  bridge?: string;
  /** QEMU is killed after this long whatever happens (default 30 min). */
  timeoutMs?: number;
}

export interface Vm {
  readonly name: string;
  readonly mac: string;
  readonly tap: string;
  readonly serialLog: string;
  /** The disks' raw files, in order (the guest's vda, vdb, ...). */
  readonly disks: readonly string[];
  /** The pid of the process QEMU runs under (`timeout`); QEMU is its child, in its process group. */
  readonly pid: number;
  running(): boolean;
  /** The serial console so far. */
  serial(): string;
  /** The serial console's last lines (ANSI escapes and carriage returns removed), for failure messages. */
  serialTail(lines?: number): string;
  /**
   * Polls the serial log until `pattern` matches at or after character `since` (default 0), within timeoutMs.
   * Throws with the serial tail on timeout, or at once if QEMU exits. Returns the match (index into the log).
   */
  waitForSerial(pattern: RegExp, options: { timeoutMs: number; since?: number }): Promise<RegExpExecArray>;
  /** Kills QEMU, removes the tap and the VM's temp dir (the disks it made, the serial log unless given). Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts a VM inside ns, its NIC a tap enslaved to the bridge there. Always stop() it (finally/afterAll). */
export async function startVm(options: VmOptions): Promise<Vm> {
  const { ns, name, mac, firmware = 'bios', bridge = 'br0' } = options;
  if (!/^[a-z0-9]{1,12}$/.test(name)) throw new Error(`startVm: bad name ${name}`);
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac)) throw new Error(`startVm: bad MAC ${mac}`);
  const tap = `tap${name}`;
  const work = await mkdtemp(join(tmpdir(), `si-vm-${name}-`));
  let tapMade = false;
  let daemon: Daemon | undefined;
  const cleanUp = async (): Promise<void> => {
    await daemon?.stop();
    if (tapMade && (await succeeds(['ip', '-n', ns.name, 'link', 'show', tap]))) await run(['ip', '-n', ns.name, 'link', 'delete', tap]);
    await rm(work, { recursive: true, force: true });
  };
  try {
    const serialLog = options.serialLog ?? join(work, 'serial.log');
    const disks: string[] = [];
    for (const [index, disk] of (options.disks ?? []).entries()) {
      const path = disk.path ?? join(work, `disk${index}.raw`);
      if (!existsSync(path)) await run(['truncate', '-s', `${disk.sizeMiB}M`, path]);
      disks.push(path);
    }
    await run(['ip', '-n', ns.name, 'tuntap', 'add', 'dev', tap, 'mode', 'tap']);
    tapMade = true;
    await run(['ip', '-n', ns.name, 'link', 'set', tap, 'master', bridge, 'up']);
    let vars: string | undefined;
    if (firmware === 'uefi') {
      vars = join(work, 'OVMF_VARS_4M.fd');
      await copyFile(OVMF_VARS, vars);
    }
    const { kernel, initrd, append } = options;
    const argv = vmArgv({
      ...options, accel: 'tcg', firmware, tap, serialLog, disks, vars,
      direct: kernel === undefined ? undefined : { kernel, initrd, append },
    });
    const seconds = Math.ceil((options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000);
    daemon = ns.spawn(['timeout', '--kill-after=10', String(seconds), ...argv]);
    const started = daemon;
    const serial = (): string => (existsSync(serialLog) ? readFileSync(serialLog, 'latin1') : '');
    const serialTail = (lines = 40): string => consoleTail(serial(), lines);
    let stopping: Promise<void> | undefined;
    return {
      name,
      mac,
      tap,
      serialLog,
      disks,
      pid: started.pid,
      running: () => started.running(),
      serial,
      serialTail,
      waitForSerial: async (pattern, { timeoutMs, since = 0 }) => {
        const search = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
        let found: RegExpExecArray | null = null;
        const look = (): boolean => {
          search.lastIndex = since;
          found = search.exec(serial());
          return found !== null || !started.running();
        };
        await waitFor(look, timeoutMs, 250);
        if (found) return found;
        const why = started.running() ? `not seen within ${timeoutMs / 1000} s` : `QEMU exited first (${started.output().trim() || 'no output'})`;
        throw new Error(`VM ${name}: ${pattern} ${why}; serial console ends with:\n${serialTail()}`);
      },
      stop: () => (stopping ??= cleanUp()),
    };
  } catch (error) {
    await cleanUp().catch(() => undefined);
    throw error;
  }
}

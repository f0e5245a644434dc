// si image test: installs a version of an image into a throwaway QEMU VM through the real netboot path, in a
// private namespace with its own boot server, and reports each stage with its time (docs/images.md).
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { consoleTail } from '../../core/imagetest/console-stages.js';
import type { PhaseEvent } from '../../core/imagetest/install-stages.js';
import type { ImageTestReport, StageResult } from '../../core/imagetest/report.js';
import { OVMF_CODE, type Accel, type Firmware } from '../../core/imagetest/vm-argv.js';
import { ImageStore } from '../images/image-store.js';
import { installEventStore } from '../reports/index.js';
import { capture, run } from '../run.js';
import { createPrivateNet, type PrivateNet } from '../vm/netns.js';
import { kvmUsable, startVm, type Vm } from '../vm/qemu.js';
import { readImageUnderTest } from './image-under-test.js';
import { startLab, type Lab } from './lab.js';
import { makeTestHome, removeTestHome, TEST_HOST } from './test-home.js';
import { watchVm } from './watch.js';

export interface ImageTestRequest {
  home: string;
  image: string;
  version?: number;
  firmware: Firmware;
  layoutFile?: string;
  accel: Accel | 'auto';
  timeoutMs: number;
  keepOnFailure: boolean;
  /** How to run si itself (node and its entry point), for the daemons and the scripts. */
  siArgv: readonly string[];
  signal: AbortSignal;
  onStage: (stage: StageResult) => void;
  onNote: (line: string) => void;
}

const MAC = '52:54:00:5e:17:01';
const HOST_PART = 10;
const CONSOLE = 'ttyS0,115200n8';

export async function runImageTest(request: ImageTestRequest): Promise<ImageTestReport> {
  const subject = readImageUnderTest({ home: request.home, image: request.image, version: request.version, layoutFile: request.layoutFile });
  await checkTools(request.firmware);
  const accel = request.accel === 'auto' ? ((await kvmUsable()) ? 'kvm' : 'tcg') : request.accel;
  const startedAt = Date.now();
  const deadline = startedAt + request.timeoutMs;
  let net: PrivateNet | undefined;
  let home: string | undefined;
  let lab: Lab | undefined;
  let vm: Vm | undefined;
  let keep = false;
  const stopped = () => new UserError(`si image test was stopped: its VM, daemons and namespace were removed; no image was changed`, 130);
  try {
    net = await createPrivateNet({ prefix: 'siimgt', index: 1, ipv6: 'fd00:5e:17::1/64' });
    const hostAddress = `${net.subnet}.${HOST_PART}`;
    const kernelArgs = [`console=${CONSOLE}`, `si.console=${CONSOLE}`];
    // TCG rebuilds an initramfs far too slowly (TESTING.md: killed at 480 s); the image's own serves the VM.
    if (accel === 'tcg') kernelArgs.push('si.skip-stages=initrd');
    request.onNote(`testing image ${subject.image} v${subject.version.number} (${request.firmware}, ${accel}) on ${subject.diskSizesMiB.map((mib) => `${mib} MiB`).join(' + ')} in namespace ${net.name}`);
    const si = async (siHome: string, args: string[]) => {
      await run([...request.siArgv, '--home', siHome, ...args], { env: { SI_HOME: undefined } });
    };
    home = await makeTestHome({ userHome: request.home, subject, mac: MAC, hostAddress, server: net.serverAddress, kernelArgs, si });
    if (request.signal.aborted) throw stopped();
    lab = await startLab({ net, siArgv: request.siArgv, home, signal: request.signal });
    if (request.signal.aborted) throw stopped();
    const work = path.join(home, 'vm');
    fs.mkdirSync(work, { recursive: true });
    vm = await startVm({
      net, name: 'imagetest', mac: MAC, work, diskSizesMiB: subject.diskSizesMiB, firmware: request.firmware, accel,
      timeoutMs: Math.max(60_000, deadline - Date.now() + 30_000),
    });
    const events = eventReader(home);
    let outcome;
    try {
      outcome = await watchVm({
        vm, net, hostname: TEST_HOST, hostAddress, imageHostKeys: subject.imageHostKeys, events: events.read,
        startedAt: Date.now(), deadline, signal: request.signal, onStage: request.onStage,
      });
    } finally {
      events.close();
    }
    if (request.signal.aborted) throw stopped();
    const report: ImageTestReport = {
      result: outcome.failed ? 'fail' : 'pass',
      image: subject.image,
      version: subject.version.number,
      firmware: request.firmware,
      stages: outcome.stages,
      failedStage: outcome.failed?.stage ?? null,
      reason: outcome.failed?.reason ?? null,
      consoleTail: consoleTail(vm.serial(), 30),
    };
    keep = report.result === 'fail' && request.keepOnFailure;
    if (keep) request.onNote(`kept for inspection: ${home} (the disk ${work}/disk0.raw, the console ${vm.serialLog}); remove it with rm -r when done`);
    return report;
  } finally {
    await vm?.stop();
    await lab?.stop();
    await net?.remove();
    if (home !== undefined && !keep) removeTestHome(home);
  }
}

/** The host's install events in the throwaway registry, read as si monitor reads them. */
function eventReader(home: string): { read: () => PhaseEvent[]; close: () => void } {
  const store = ImageStore.open(home, { create: false });
  const events = installEventStore(store.db);
  return {
    read: () => events.list(TEST_HOST).map((event) => ({ phase: event.phase, state: event.state, at: event.at, message: event.message })),
    close: () => store.close(),
  };
}

/** What the test needs on this server, each missing piece one line naming its package. */
async function checkTools(firmware: Firmware): Promise<void> {
  if (process.getuid?.() !== 0) throw new UserError('si image test needs root (it creates a network namespace, a tap and a VM): run it as root');
  const qemu = await capture(['qemu-system-x86_64', '--version']);
  if (qemu.exitCode === null) throw new UserError('qemu-system-x86_64 is not installed: install the Debian package qemu-system-x86');
  for (const [program, pkg] of [['dnsmasq', 'dnsmasq-base'], ['ssh-keyscan', 'openssh-client'], ['rsync', 'rsync']] as const) {
    if ((await capture([program, '--version'])).exitCode === null) {
      throw new UserError(`${program} is not installed: install the Debian package ${pkg}`);
    }
  }
  if (firmware === 'uefi' && !fs.existsSync(OVMF_CODE)) throw new UserError(`${OVMF_CODE} is missing: install the Debian package ovmf for --firmware uefi`);
}

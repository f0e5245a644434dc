// Follows one test VM from power-on to sshd: the console for the installer and the boot stages, the registry's
// install events for the install phases, ssh-keyscan from inside the namespace for sshd. Every wait is bounded
// by the one deadline; a failure the console shows is taken at once.
import { BOOT_STAGES, bootProgress, installerState } from '../../core/imagetest/console-stages.js';
import { installProgress, type PhaseEvent } from '../../core/imagetest/install-stages.js';
import type { StageResult } from '../../core/imagetest/report.js';
import { abortableDelay } from '../process/abortable-delay.js';
import { capture } from '../run.js';
import type { PrivateNet } from '../vm/netns.js';
import type { Vm } from '../vm/qemu.js';

export interface WatchRequest {
  vm: Vm;
  net: PrivateNet;
  hostname: string;
  hostAddress: string;
  imageHostKeys: readonly string[];
  /** The host's install events, oldest first (the throwaway registry). */
  events: () => PhaseEvent[];
  startedAt: number;
  deadline: number;
  signal: AbortSignal;
  onStage: (stage: StageResult) => void;
}

export interface WatchOutcome {
  stages: StageResult[];
  failed: { stage: string; reason: string } | null;
}

const POLL_MS = 500;

export async function watchVm(request: WatchRequest): Promise<WatchOutcome> {
  const { vm, signal } = request;
  const stages: StageResult[] = [];
  const add = (stage: StageResult) => {
    stages.push(stage);
    request.onStage(stage);
  };
  const fail = (stage: string, reason: string, since: number): WatchOutcome => {
    add({ name: stage, seconds: (Date.now() - since) / 1000, ok: false });
    return { stages, failed: { stage, reason } };
  };
  const bound = () => `not within the bound (${Math.round((request.deadline - request.startedAt) / 1000)} s, --timeout)`;
  const wait = async () => {
    await abortableDelay(POLL_MS, signal);
    return !signal.aborted && Date.now() < request.deadline;
  };
  const gone = () => `the VM stopped (${vm.output().trim().split('\n').at(-1) || 'QEMU exited'})`;

  // netboot: power-on until the installer's init runs.
  for (;;) {
    const installer = installerState(vm.serial());
    if (installer.started) break;
    if (!vm.running()) return fail('netboot', gone(), request.startedAt);
    if (!(await wait())) return fail('netboot', `the installer did not start ${bound()}`, request.startedAt);
  }
  add({ name: 'netboot', seconds: (Date.now() - request.startedAt) / 1000, ok: true });

  // The install, phase by phase as the installer reports them to si netboot serve's /events.
  let shown = 0;
  let endedAt = Date.now();
  let installSnapshot = 0;
  for (;;) {
    const progress = installProgress(request.events());
    for (const stage of progress.stages.slice(shown)) add(stage);
    shown = progress.stages.length;
    if (progress.state === 'failed') {
      const failure = progress.failure as { phase: string; message: string };
      return { stages, failed: { stage: `install:${failure.phase}`, reason: failure.message.split('\n')[0] || `the install failed in phase ${failure.phase}` } };
    }
    if (progress.state === 'installed') {
      endedAt = progress.endedAt ?? Date.now();
      installSnapshot = vm.serial().length;
      break;
    }
    const console = installerState(vm.serial());
    if (console.failure) return fail('install', console.failure, Date.now());
    if (!vm.running()) return fail('install', gone(), Date.now());
    if (!(await wait())) return fail('install', `the install did not end ${bound()}`, Date.now());
  }

  // The boot from the disk: firmware again, the disk's loader, the kernel, a login prompt with the host's name.
  let last = endedAt;
  let reached = 0;
  for (;;) {
    const text = vm.serial();
    // The installer's last phase line, not our poll, marks where the installed system's boot begins.
    const post = text.lastIndexOf('si-installer: phase post');
    const progress = bootProgress(text, { since: post >= 0 ? post : installSnapshot, hostname: request.hostname });
    for (const mark of progress.reached.slice(reached)) {
      const now = Date.now();
      add({ name: mark.stage, seconds: (now - last) / 1000, ok: true });
      last = now;
    }
    reached = progress.reached.length;
    if (progress.failed) return fail(progress.failed.stage, progress.failed.reason, last);
    if (reached === BOOT_STAGES.length) break;
    const next = BOOT_STAGES[reached] as string;
    if (!vm.running()) return fail(next, gone(), last);
    if (!(await wait())) return fail(next, `${next} not reached ${bound()}`, last);
  }

  // sshd: host keys from inside the namespace, which must not be the image's own.
  for (;;) {
    const scan = await capture(request.net.inside(['ssh-keyscan', '-T', '5', request.hostAddress]), { timeout: 30_000 });
    const keys = scan.stdout.split('\n').map((line) => line.trim().split(/\s+/).slice(1, 3).join(' ')).filter((key) => key.includes(' '));
    if (keys.length > 0) {
      const reused = keys.filter((key) => request.imageHostKeys.includes(key));
      if (reused.length > 0) return fail('sshd', `sshd presents the image's own host key (${reused[0]?.split(' ')[0]}): the identity stage did not make fresh keys`, last);
      add({ name: 'sshd', seconds: (Date.now() - last) / 1000, ok: true });
      return { stages, failed: null };
    }
    if (!vm.running()) return fail('sshd', gone(), last);
    if (!(await wait())) return fail('sshd', `sshd did not answer on ${request.hostAddress} port 22 ${bound()}`, last);
  }
}

// The boot server of si image test inside its private namespace: the real `si rsyncd --foreground` and
// `si netboot serve`, run as the user would run them, against the throwaway SI_HOME.
import { UserError } from '../../core/errors.js';
import { capture, startProcess, type ProcessHandle } from '../run.js';
import type { PrivateNet } from '../vm/netns.js';

export interface Lab {
  stop(): Promise<void>;
}

const READY_MS = 120_000;

/** Starts both daemons and waits until each answers; stops them again if either does not. */
export async function startLab({ net, siArgv, home, signal }: { net: PrivateNet; siArgv: readonly string[]; home: string; signal: AbortSignal }): Promise<Lab> {
  const si = (args: string[]) => net.inside([...siArgv, '--home', home, ...args]);
  const options = { group: true, stderrTailBytes: 16384, env: { SI_HOME: undefined } };
  const daemons: ProcessHandle[] = [];
  const stop = async () => {
    // serve first: it stops dnsmasq and ends the downloads in progress.
    for (const daemon of [...daemons].reverse()) await daemon.stop({ graceMs: 15_000 });
  };
  try {
    const rsyncd = startProcess(si(['rsyncd', '--foreground', '--address', net.serverAddress]), options);
    daemons.push(rsyncd);
    const listsModules = async () =>
      (await capture(net.inside(['rsync', `rsync://${net.serverAddress}/`]), { timeout: 30_000 })).stdout.includes('scripts');
    await ready(rsyncd, 'si rsyncd', listsModules, signal);
    const serve = startProcess(si(['netboot', 'serve', '--interface', net.bridge]), options);
    daemons.push(serve);
    await ready(serve, 'si netboot serve', () => serve.stderrTail().includes(`serving on ${net.bridge}`), signal);
    return { stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function ready(handle: ProcessHandle, what: string, probe: () => boolean | Promise<boolean>, signal: AbortSignal): Promise<void> {
  const outcome = await handle.waitReady(probe, { timeoutMs: READY_MS, intervalMs: 500, signal });
  if (outcome === 'ready' || outcome === 'aborted') return;
  const last = handle.stderrTail().trim().split('\n').at(-1) ?? '';
  throw new UserError(`${what} did not start in the test's namespace (${outcome === 'exited' ? 'it exited' : `not ready within ${READY_MS / 1000} s`}): ${last}`, 1);
}

import type { Child, ChildExit } from './start-child.js';

export interface Limits {
  /** Milliseconds; no limit when absent. SIGTERM when it passes. */
  timeout?: number;
  /** Aborting sends SIGTERM. */
  signal?: AbortSignal;
  /** SIGKILL this long after the SIGTERM of a timeout or an abort (default 5 s). */
  forceKillAfterMs?: number;
}

export interface Supervised extends ChildExit {
  timedOut: boolean;
  canceled: boolean;
}

const FORCE_KILL_AFTER_MS = 5000;

/** Waits for children, ending them all on a timeout or an abort (SIGTERM, then SIGKILL). */
export async function supervise(children: readonly Child[], limits: Limits): Promise<Supervised[]> {
  let timedOut = false;
  let canceled = false;
  const timers: NodeJS.Timeout[] = [];
  const end = () => {
    for (const child of children) child.kill('SIGTERM');
    timers.push(setTimeout(() => children.forEach((child) => child.kill('SIGKILL')), limits.forceKillAfterMs ?? FORCE_KILL_AFTER_MS));
  };
  const onAbort = () => {
    canceled = true;
    end();
  };
  if (limits.timeout !== undefined) {
    timers.push(
      setTimeout(() => {
        timedOut = true;
        end();
      }, limits.timeout),
    );
  }
  if (limits.signal?.aborted) onAbort();
  else limits.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const exits = await Promise.all(children.map((child) => child.exited));
    return exits.map((exit) => ({ ...exit, timedOut, canceled }));
  } finally {
    timers.forEach(clearTimeout);
    limits.signal?.removeEventListener('abort', onAbort);
  }
}

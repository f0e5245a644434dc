// Waiting on a condition in tests: polled, bounded, never a fixed sleep (the machine may be busy).

/** Polls `condition` every `intervalMs` until it holds or `ms` pass; says whether it held. */
export async function waitFor(condition: () => boolean, ms: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return condition();
}

/** waitFor that throws, naming what did not happen within the bound. */
export async function eventually(what: string, condition: () => boolean, ms = 60_000, intervalMs = 50): Promise<void> {
  if (!(await waitFor(condition, ms, intervalMs))) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
}

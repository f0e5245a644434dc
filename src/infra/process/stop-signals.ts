/**
 * An AbortSignal that fires on SIGINT or SIGTERM while work that must clean up runs; dispose() removes the
 * handlers. Used by every command that must clean up when stopped (si configure's mounts, si rsyncd's daemon).
 * `on`, not `once`: a listener that removed itself when it fired would leave a second SIGTERM to Node's
 * default, which kills the process before the cleanup has run.
 */
export function onStopSignals(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

/**
 * An AbortSignal that fires on SIGINT or SIGTERM while work that must clean up runs; dispose() removes the
 * handlers. `on`, not `once`: execa's exit hook kills the process when it finds itself the only listener left,
 * which a `once` listener that just fired leaves it, and the cleanup would never run.
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

import fs from 'node:fs';
import type { HomePaths } from '../../core/home.js';
import { rsyncdPaths } from '../../core/rsyncd/index.js';
import { capture } from '../run.js';
import { startDaemonProcess } from './daemon-process.js';
import { RsyncDaemonError, explainDaemonExit } from './daemon-exit.js';
import { abortableDelay } from '../process/abortable-delay.js';

export type RsyncdEvent =
  /** Sent once the daemon listens on the port (not merely started). */
  | { type: 'started'; argv: readonly string[]; conf: string; log: string; port: number }
  | { type: 'reloaded'; conf: string }
  | { type: 'reload-failed'; message: string };

export interface RunRsyncDaemonOptions {
  paths: HomePaths;
  address?: string;
  port?: number;
  /**
   * Rewrites rsyncd.conf from the registry and says whether it changed (writeRsyncdConf). Called once
   * before the daemon starts (a failure then is thrown) and every pollMs after (a failure then keeps the
   * last good file and is reported as a 'reload-failed' event).
   */
  reload: () => Promise<boolean> | boolean;
  /** Aborting stops the daemon; wire SIGINT/SIGTERM to it (onStopSignals in src/infra/process/stop-signals.ts). */
  signal: AbortSignal;
  /** A program the daemon runs under, e.g. ['ip', 'netns', 'exec', 'NS'] or ['nice', '-n', '5']. */
  wrapper?: readonly string[];
  pollMs?: number;
  onEvent?: (event: RsyncdEvent) => void;
}

export const POLL_MS = 2000;
/** rsync's own default when neither --port nor the config names one. */
const RSYNC_PORT = 873;

/** The daemon's argv. rsync re-reads --config for every connection, so a rewritten file needs no restart. */
export function rsyncDaemonArgv({ conf, address, port }: { conf: string; address?: string; port?: number }): string[] {
  const argv = ['rsync', '--daemon', '--no-detach', `--config=${conf}`];
  if (address !== undefined) argv.push(`--address=${address}`);
  if (port !== undefined) argv.push(`--port=${port}`);
  return argv;
}

/**
 * Runs the real rsync daemon in the foreground until `signal` aborts (then it is sent SIGTERM, and SIGKILL
 * 5 s later, and this resolves). 'started' comes once it listens. A daemon that exits on its own (before
 * listening or after) rejects with a RsyncDaemonError that carries the tail of its log (a port in use, an
 * address that is not ours, a broken config).
 */
export async function runRsyncDaemon(options: RunRsyncDaemonOptions): Promise<void> {
  const { paths, address, port, signal, wrapper = [], pollMs = POLL_MS, onEvent } = options;
  if (signal.aborted) return;
  const files = rsyncdPaths(paths);
  if ((await capture([...wrapper, 'rsync', '--version'])).exitCode === null) {
    throw new RsyncDaemonError('rsync is not installed on this server: install it (apt-get install rsync) and run si rsyncd again', []);
  }
  await options.reload();
  const logStart = sizeOrZero(files.log);
  const argv = [...wrapper, ...rsyncDaemonArgv({ conf: files.conf, address, port })];
  const explain = ({ exitCode, stderr }: { exitCode: number | undefined; stderr: string }) =>
    explainDaemonExit({ exitCode, stderr, log: readFrom(files.log, logStart), logPath: files.log, address, port });
  const start = await startDaemonProcess(argv, port ?? RSYNC_PORT, signal);
  if (start.state === 'aborted') return;
  if (start.state === 'exited') throw explain(start.exit);
  if (start.state === 'not-listening') {
    throw new RsyncDaemonError(`the rsync daemon did not listen on port ${port ?? RSYNC_PORT} within 30 s: see its log ${files.log}`, [], start.exit.exitCode);
  }
  const { daemon } = start;
  let exited = false;
  void daemon.exited.then(() => (exited = true));
  onEvent?.({ type: 'started', argv, conf: files.conf, log: files.log, port: port ?? RSYNC_PORT });

  while (!exited && !signal.aborted) {
    await Promise.race([abortableDelay(pollMs, signal), daemon.exited]);
    if (exited || signal.aborted) break;
    try {
      if (await options.reload()) onEvent?.({ type: 'reloaded', conf: files.conf });
    } catch (error) {
      onEvent?.({ type: 'reload-failed', message: (error as Error).message });
    }
  }
  if (signal.aborted && !exited) return daemon.stop();
  const exit = await daemon.exited;
  if (signal.aborted) return;
  throw explain(exit);
}

function sizeOrZero(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function readFrom(file: string, offset: number): string {
  try {
    const buffer = fs.readFileSync(file);
    return buffer.subarray(Math.min(offset, buffer.length)).toString('utf8');
  } catch {
    return '';
  }
}

export { RsyncDaemonError };

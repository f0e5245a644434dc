import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';
import type { RsyncProgress } from '../infra/rsync/output.js';
import { formatBytes, note } from './output.js';

export interface ProgressReporter {
  update(progress: RsyncProgress): void;
  phase(text: string): void;
  stop(): void;
}

/** A bar on a terminal; elsewhere a plain line at every tenth of the way. */
export function createProgress(options: { quiet: boolean }): ProgressReporter {
  if (options.quiet) return { update() {}, phase() {}, stop() {} };
  if (process.stderr.isTTY) return terminalBar();
  let lastDecile = -1;
  return {
    update(p) {
      const decile = Math.floor(p.percent / 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        note(`  ${p.percent}%  ${formatBytes(p.bytes)}  ${p.rate}`);
      }
    },
    phase: (text) => note(`${text}...`),
    stop() {},
  };
}

function terminalBar(): ProgressReporter {
  // Loaded only for a terminal: --json and piped runs start without it.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
  const bar = new cliProgress.SingleBar(
    { format: '  [{bar}] {percentage}%  {done}  {rate}  eta {eta_text}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = { done: formatBytes(p.bytes), rate: p.rate, eta_text: p.eta };
      if (!started) {
        bar.start(100, p.percent, payload);
        started = true;
      } else bar.update(p.percent, payload);
    },
    phase: (text) => note(`${text}...`),
    stop() {
      if (started) bar.stop();
    },
  };
}

import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';
import type { RsyncProgress } from '../infra/rsync/output.js';
import { formatBytes, note } from './output.js';

export interface ProgressReporter {
  /** A reading of rsync's progress2 (capture, image cp). */
  update(progress: RsyncProgress): void;
  /** A step of a job that counts its own way (debootstrap's packages). */
  step(progress: { percent: number; label: string }): void;
  phase(text: string): void;
  stop(): void;
}

/** A bar on a terminal; elsewhere a plain line at every tenth of the way. */
export function createProgress(options: { quiet: boolean }): ProgressReporter {
  if (options.quiet) return { update() {}, step() {}, phase() {}, stop() {} };
  if (process.stderr.isTTY) return terminalBar();
  let lastDecile = -1;
  const atDecile = (percent: number, line: () => string) => {
    const decile = Math.floor(percent / 10);
    if (decile <= lastDecile) return;
    lastDecile = decile;
    note(line());
  };
  return {
    update: (p) => atDecile(p.percent, () => `  ${p.percent}%  ${formatBytes(p.bytes)}  ${p.rate}`),
    step: (p) => atDecile(p.percent, () => `  ${p.percent}%  ${p.label}`),
    phase(text) {
      lastDecile = -1;
      note(`${text}...`);
    },
    stop() {},
  };
}

function terminalBar(): ProgressReporter {
  // Loaded only for a terminal: --json and piped runs start without it.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
  const bar = new cliProgress.SingleBar(
    { format: '  [{bar}] {percentage}%  {done}  {rate}  {eta_text}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const show = (percent: number, payload: Record<string, string>) => {
    if (!started) {
      bar.start(100, percent, payload);
      started = true;
    } else bar.update(percent, payload);
  };
  return {
    update: (p) => show(p.percent, { done: formatBytes(p.bytes), rate: p.rate, eta_text: `eta ${p.eta}` }),
    step: (p) => show(p.percent, { done: p.label, rate: '', eta_text: '' }),
    phase(text) {
      if (started) bar.stop();
      started = false;
      note(`${text}...`);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

// The result of si image test: the stages with their times, the summary line and the JSON object.
import type { Firmware } from './vm-argv.js';

export interface StageResult {
  /** netboot, install:<phase> for each install phase the installer reported, reboot, bootloader, kernel, multi-user, hostname, sshd. */
  name: string;
  seconds: number;
  ok: boolean;
}

export interface ImageTestReport {
  result: 'pass' | 'fail';
  image: string;
  version: number;
  firmware: Firmware;
  stages: StageResult[];
  failedStage: string | null;
  /** Why the failed stage failed (one line); null on a pass. */
  reason: string | null;
  /** The console's last lines (on a pass too: the login prompt). */
  consoleTail: string;
}

const BOOT = new Set(['reboot', 'bootloader', 'kernel', 'multi-user', 'hostname', 'sshd']);

/** Seconds as the summary prints them: whole seconds from 10 s, one decimal below. */
export function formatSeconds(seconds: number): string {
  return seconds >= 10 ? `${Math.round(seconds)} s` : `${seconds.toFixed(1)} s`;
}

/** The three sums of the summary line: power-on to installer, the install's phases, reboot to sshd. */
export function stageTotals(stages: readonly StageResult[]): { netboot: number; install: number; boot: number } {
  const sum = (pick: (name: string) => boolean) => stages.filter((s) => pick(s.name)).reduce((total, s) => total + s.seconds, 0);
  return { netboot: sum((n) => n === 'netboot'), install: sum((n) => n.startsWith('install:')), boot: sum((n) => BOOT.has(n)) };
}

/** `PASS image NAME vN (bios): netboot 15 s, install 60 s, boot 40 s`, or `FAIL image NAME vN (bios) at stage X: why`. */
export function summaryLine(report: ImageTestReport): string {
  const what = `image ${report.image} v${report.version} (${report.firmware})`;
  if (report.result === 'fail') return `FAIL ${what} at stage ${report.failedStage}: ${report.reason}`;
  const totals = stageTotals(report.stages);
  return `PASS ${what}: netboot ${formatSeconds(totals.netboot)}, install ${formatSeconds(totals.install)}, boot ${formatSeconds(totals.boot)}`;
}

/** The progress line of one stage. */
export function stageLine(stage: StageResult): string {
  return `${stage.ok ? 'ok  ' : 'FAIL'} ${stage.name.padEnd(20)} ${formatSeconds(stage.seconds)}`;
}

/** The text report: the summary, and on a failure the console's tail under it. */
export function reportText(report: ImageTestReport): string {
  const lines = [summaryLine(report)];
  if (report.result === 'fail') lines.push('console (last lines):', ...report.consoleTail.split('\n').map((line) => `  ${line}`));
  return lines.join('\n');
}

/** --json: one object, as docs/images.md describes. */
export function reportJson(report: ImageTestReport): Record<string, unknown> {
  const { result, image, version, firmware, stages, failedStage, reason, consoleTail } = report;
  return { result, image, version, firmware, stages: stages.map(({ name, seconds, ok }) => ({ name, seconds: Math.round(seconds * 10) / 10, ok })), failedStage, reason, consoleTail };
}

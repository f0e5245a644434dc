// si image test's options, checked before anything is started.
import { UserError } from '../errors.js';
import type { Accel, Firmware } from './vm-argv.js';

export interface ImageTestOptions {
  firmware: Firmware;
  accel: Accel | 'auto';
  timeoutMs: number;
}

/** TCG needs minutes per stage on a busy machine (TESTING.md): a generous bound for the whole run. */
export const DEFAULT_TIMEOUT_SECONDS = 3600;

export function parseImageTestOptions(options: { firmware?: string; accel?: string; timeout?: string }): ImageTestOptions {
  const firmware = options.firmware ?? 'bios';
  if (firmware !== 'bios' && firmware !== 'uefi') throw new UserError(`invalid --firmware ${JSON.stringify(firmware)}: give bios or uefi`);
  const accel = options.accel ?? 'auto';
  if (accel !== 'auto' && accel !== 'kvm' && accel !== 'tcg') throw new UserError(`invalid --accel ${JSON.stringify(accel)}: give auto, kvm or tcg`);
  const timeout = options.timeout ?? String(DEFAULT_TIMEOUT_SECONDS);
  if (!/^\d{1,6}$/.test(timeout) || Number(timeout) < 60) throw new UserError(`invalid --timeout ${JSON.stringify(timeout)}: give seconds, at least 60 (default ${DEFAULT_TIMEOUT_SECONDS})`);
  return { firmware, accel, timeoutMs: Number(timeout) * 1000 };
}

import type { ClientRecord } from '../clients/client-record.js';

export type BootChoice = 'install' | 'local';

/**
 * What a client's netboot entry does by default (no install loops): the boot mode decides. A reported
 * success sets it to `local` (install reports, src/infra/reports), so an installed client boots its own disk;
 * `si client set HOST --boot install` arms a reinstall at the next boot, and the next success disarms it. A
 * failed or interrupted install stays armed, so the next boot retries it.
 */
export function decideBoot(client: Pick<ClientRecord, 'bootMode' | 'installState'>): BootChoice {
  return client.bootMode === 'local' ? 'local' : 'install';
}

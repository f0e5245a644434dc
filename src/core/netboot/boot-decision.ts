import type { ClientRecord } from '../clients/client-record.js';

export type BootChoice = 'install' | 'local';

/**
 * What a client's netboot entry does by default (no install loops): a client set to boot locally, or one
 * whose install reported success, boots its own disk; only a client armed for install runs the installer.
 * Re-arming an installed client means moving its state off `installed` (`si client set HOST --boot install
 * --state new`); a failed or interrupted install stays armed, so the next boot retries it.
 */
export function decideBoot(client: Pick<ClientRecord, 'bootMode' | 'installState'>): BootChoice {
  if (client.bootMode === 'local') return 'local';
  if (client.installState === 'installed') return 'local';
  return 'install';
}

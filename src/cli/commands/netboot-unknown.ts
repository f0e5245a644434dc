import type { Command } from 'commander';
import { normalizeMac } from '../../core/clients/mac.js';
import { clearUnknownMacs, listUnknownMacs } from '../../infra/discovery/index.js';
import { withStore } from '../context.js';
import { printJson, printLine, printTable } from '../output.js';

/** si netboot unknown: the MACs that asked the boot server for a script and matched no host (docs/netboot.md). */
export async function netbootUnknownCommand(options: { clear?: boolean | string; json?: boolean }, command: Command): Promise<void> {
  const mac = typeof options.clear === 'string' ? normalizeMac(options.clear) : undefined;
  await withStore(command, (store) => {
    if (options.clear !== undefined) {
      const removed = clearUnknownMacs(store.db, mac);
      if (options.json) return printJson({ cleared: removed });
      return printLine(mac ? `${removed === 0 ? `${mac} was not listed` : `forgot ${mac}`}` : `forgot ${removed} unknown MACs`);
    }
    const unknown = listUnknownMacs(store.db);
    if (options.json) return printJson(unknown);
    if (unknown.length === 0) return printLine('no unknown MACs have asked the boot server');
    printTable(
      ['MAC', 'IP', 'FIRST SEEN', 'LAST SEEN', 'COUNT'],
      unknown.map((u) => [u.mac, u.ip || '-', u.firstSeen, u.lastSeen, String(u.count)]),
    );
  });
}

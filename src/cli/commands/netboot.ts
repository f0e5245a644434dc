import path from 'node:path';
import type { Command } from 'commander';
import { isIPv4 } from '../../core/clients/ipv4.js';
import { UserError } from '../../core/errors.js';
import { planNetboot } from '../../core/netboot/index.js';
import { listOverlays, netbootRoots, readNetbootSettings, renderNetbootFiles, writeNetbootFiles } from '../../infra/netboot/index.js';
import { createRenderer } from '../../infra/templates.js';
import { withStore } from '../context.js';
import { note, printJson, printLine } from '../output.js';

interface NetbootConfigOptions {
  output?: string;
  settings?: string;
  server?: string;
  flavor: string;
  dryRun?: boolean;
  json?: boolean;
}

/** si netboot config: the registry's clients -> boot menus and DHCP configs (docs/netboot.md). */
export async function netbootConfigCommand(options: NetbootConfigOptions, command: Command): Promise<void> {
  if (options.server !== undefined && !isIPv4(options.server)) throw new UserError(`invalid --server ${JSON.stringify(options.server)}: give the boot server's IPv4 address`);
  if (!/^[a-z0-9][a-z0-9._-]{0,62}$/.test(options.flavor)) throw new UserError(`invalid --flavor ${JSON.stringify(options.flavor)}: use a-z, 0-9, '.', '_' and '-'`);
  await withStore(command, (store) => {
    const home = store.paths.home;
    const settingsFile = options.settings ?? path.join(home, 'netboot.json');
    const settings = readNetbootSettings(settingsFile, options.settings !== undefined);
    if (options.server) settings.server = options.server;
    const dir = path.resolve(options.output ?? home);
    const roots = netbootRoots(dir);
    const files = planNetboot({
      clients: store.clients.listClients(),
      settings,
      server: settings.server ?? '',
      flavor: options.flavor,
      overlays: listOverlays(settings, path.join(home, 'tftpboot')),
      tftpRoot: roots.tftpboot,
    });
    const rendered = renderNetbootFiles(files, createRenderer({ siteDir: store.paths.templates }), roots);
    if (options.dryRun) {
      if (options.json) return printJson(rendered.map(({ file, host, text }) => ({ file, host: host ?? null, text })));
      for (const f of rendered) printLine(`would write ${f.file}`);
      return;
    }
    const removed = writeNetbootFiles(rendered, dir);
    if (options.json) return printJson({ written: rendered.map(({ file, host }) => ({ file, host: host ?? null })), removed });
    for (const file of removed) note(`removed ${file} (no such client any more)`);
    printLine(`wrote ${rendered.length} files under ${roots.tftpboot} and ${roots.netboot}`);
  });
}

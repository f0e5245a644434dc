import fs from 'node:fs';
import type { Command } from 'commander';
import { checkPort } from '../../core/capture/target.js';
import { homePaths } from '../../core/home.js';
import { UserError } from '../../core/errors.js';
import { ImageStore } from '../../infra/images/image-store.js';
import { ingestPendingReports } from '../../infra/reports/index.js';
import { onStopSignals } from '../../infra/process/stop-signals.js';
import { renderRsyncdConf, renderRsyncdUnit, runRsyncDaemon, writeRsyncdConf } from '../../infra/rsyncd/index.js';
import { createRenderer } from '../../infra/templates.js';
import { resolveHome, withStore } from '../context.js';
import { note, printLine } from '../output.js';

interface RsyncdOptions {
  foreground?: boolean;
  address?: string;
  port?: string;
  unit?: boolean;
  dryRun?: boolean;
}

/**
 * si rsyncd: rsyncd.conf from the registry (a read-only module per image, plus scripts, overrides, boot,
 * open to the clients' networks only); with --foreground it runs the rsync daemon and rewrites the file
 * whenever images or clients change (rsync reads it anew for every connection).
 */
export async function rsyncdCommand(options: RsyncdOptions, command: Command): Promise<void> {
  const port = options.port === undefined ? undefined : checkPort(options.port);
  const address = options.address === undefined ? undefined : checkAddress(options.address);
  const home = resolveHome(command);
  if (options.unit) {
    const siArgv = [process.execPath, fs.realpathSync(process.argv[1] ?? 'si')];
    const renderer = createRenderer({ siteDir: `${home}/templates` });
    return printLine(renderRsyncdUnit({ renderer, siArgv, home: fs.realpathSync(home), address, port }).trimEnd());
  }
  const confOptions = (store: ImageStore) => ({
    paths: store.paths,
    renderer: createRenderer({ siteDir: store.paths.templates }),
    clients: store.clients.listClients(),
    images: store.registry.listImages().filter((i) => i.currentVersion !== null).map((i) => i.name),
    versions: Object.fromEntries(store.registry.listImages().map((i) => [i.name, i.currentVersion ?? 0])),
    address,
    port,
  });
  if (options.dryRun) return withStore(command, (store) => printLine(renderRsyncdConf(confOptions(store)).trimEnd()));
  if (!options.foreground) {
    return withStore(command, (store) => {
      const changed = writeRsyncdConf(confOptions(store));
      printLine(`${changed ? 'wrote' : 'unchanged'} ${store.paths.home}/rsyncd.conf`);
    });
  }
  const { signal, dispose } = onStopSignals();
  try {
    // The store is opened anew for each reload: the daemon runs for days, the registry changes under it.
    const reload = () => {
      const store = ImageStore.open(home, { create: false });
      try {
        // Install reports uploaded since the last pass become events in the registry (docs/rsyncd.md).
        for (const line of ingestPendingReports({ paths: store.paths, db: store.db, all: true })) note(line);
        return writeRsyncdConf(confOptions(store));
      } finally {
        store.close();
      }
    };
    await runRsyncDaemon({
      paths: homePaths(home),
      address,
      port,
      reload,
      signal,
      onEvent: (event) => {
        if (event.type === 'started') note(`rsync daemon running on port ${event.port} (${event.conf}, log ${event.log}); stop with Ctrl-C`);
        if (event.type === 'reloaded') note(`rewrote ${event.conf}`);
        if (event.type === 'reload-failed') note(`warning: kept the last rsyncd.conf: ${event.message}`);
      },
    });
  } finally {
    dispose();
  }
}

function checkAddress(address: string): string {
  if (!/^[0-9a-fA-F:.]+$/.test(address)) throw new UserError(`invalid --address ${JSON.stringify(address)}: give an IP address of this server`);
  return address;
}

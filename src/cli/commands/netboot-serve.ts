import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { checkPort } from '../../core/capture/target.js';
import { isIPv4 } from '../../core/clients/ipv4.js';
import { UserError } from '../../core/errors.js';
import { planServeUnit } from '../../core/netboot/serve-unit.js';
import { writeFileAtomic } from '../../infra/fs/atomic-write.js';
import { runNetbootServe } from '../../infra/netboot/serve.js';
import { onStopSignals } from '../../infra/process/stop-signals.js';
import { createRenderer } from '../../infra/templates.js';
import { resolveHome } from '../context.js';
import { note, printLine } from '../output.js';

interface NetbootServeOptions {
  interface: string;
  dhcpRange?: string;
  proxyDhcp?: boolean;
  httpPort?: string;
  settings?: string;
  server?: string;
  flavor: string;
  unit?: boolean;
  output?: string;
}

/** si netboot serve: the boot server in the foreground, or (--unit) the systemd unit that runs it (docs/netboot.md). */
export async function netbootServeCommand(options: NetbootServeOptions, command: Command): Promise<void> {
  const httpPort = options.httpPort === undefined ? undefined : checkPort(options.httpPort);
  if (options.server !== undefined && !isIPv4(options.server)) throw new UserError(`invalid --server ${JSON.stringify(options.server)}: give the boot server's IPv4 address`);
  if (!/^[a-z0-9][a-z0-9._-]{0,62}$/.test(options.flavor)) throw new UserError(`invalid --flavor ${JSON.stringify(options.flavor)}: use a-z, 0-9, '.', '_' and '-'`);
  if (options.proxyDhcp && options.dhcpRange !== undefined) throw new UserError("--dhcp-range and --proxy-dhcp exclude each other: the site's DHCP server hands out the addresses in proxy mode");
  if (options.output !== undefined && !options.unit) throw new UserError('--output is for --unit: give --unit too, or leave --output out');
  const home = resolveHome(command);
  if (options.unit) {
    const settings = options.settings === undefined ? undefined : path.resolve(options.settings);
    const serveArgs = [
      '--interface', options.interface,
      ...(options.dhcpRange !== undefined ? ['--dhcp-range', options.dhcpRange] : []),
      ...(options.proxyDhcp ? ['--proxy-dhcp'] : []),
      ...(httpPort !== undefined ? ['--http-port', String(httpPort)] : []),
      ...(settings !== undefined ? ['--settings', settings] : []),
      ...(options.server !== undefined ? ['--server', options.server] : []),
      ...(options.flavor !== 'debian' ? ['--flavor', options.flavor] : []),
    ];
    const siArgv = [process.execPath, fs.realpathSync(process.argv[1] ?? 'si')];
    const context = planServeUnit({ siArgv, home: path.resolve(home), serveArgs, iface: options.interface });
    const text = createRenderer({ siteDir: path.join(home, 'templates') }).render('netboot/sisuite-netboot.service', context);
    if (options.output === undefined) return printLine(text.trimEnd());
    writeFileAtomic(path.resolve(options.output), text);
    return note(`wrote ${path.resolve(options.output)}`);
  }
  const { signal, dispose } = onStopSignals();
  try {
    await runNetbootServe({
      home,
      iface: options.interface,
      dhcpRange: options.dhcpRange,
      proxy: Boolean(options.proxyDhcp),
      httpPort,
      settingsFile: options.settings,
      server: options.server,
      flavor: options.flavor,
      signal,
      onRequest: (line) => printLine(line),
      onNote: (line) => note(line),
    });
  } finally {
    dispose();
  }
}

import type http from 'node:http';
import path from 'node:path';
import type { ClientRecord } from '../../core/clients/client-record.js';
import { UserError } from '../../core/errors.js';
import { httpBase } from '../../core/netboot/index.js';
import { planServeDnsmasq } from '../../core/netboot/serve-plan.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { ImageStore } from '../images/image-store.js';
import { bindUnknownMac } from '../discovery/index.js';
import { createEventsHandler } from '../monitor/index.js';
import { installEventStore } from '../reports/index.js';
import { createRenderer } from '../templates.js';
import { startDnsmasq } from './dnsmasq-process.js';
import { closeHttp, createBootHandler, listenHttp, type EventHook, type UnknownMacHook } from './http-server.js';
import { netbootRoots, readNetbootSettings } from './netboot-files.js';
import { renderServeFiles, watchRegistry } from './reload.js';
import { openRequestLog } from './request-log.js';
import { installBootLoaders, probeInterface } from './serve-host.js';

export interface NetbootServeOptions {
  home: string;
  iface: string;
  dhcpRange?: string;
  proxy: boolean;
  httpPort?: number;
  /** An explicit settings file (must exist); else $SI_HOME/netboot.json if present. */
  settingsFile?: string;
  server?: string;
  flavor: string;
  /** Aborting stops dnsmasq and the HTTP server (wire SIGINT/SIGTERM to it). */
  signal: AbortSignal;
  /** Each request line (TIME PROTO IP MAC PATH STATUS BYTES). */
  onRequest: (line: string) => void;
  /** Started, reloaded, refused install events, warnings. */
  onNote: (line: string) => void;
  onUnknownMac?: UnknownMacHook;
  onEvent?: EventHook;
  pollMs?: number;
}

const POLL_MS = 1000;

/**
 * si netboot serve: dnsmasq (DHCP or proxyDHCP, TFTP, router advertisements) and the HTTP boot server, in the
 * foreground until `signal` aborts. Every input is checked and the HTTP port bound before anything is written
 * or started; a dnsmasq that cannot start closes the HTTP server again.
 */
export async function runNetbootServe(options: NetbootServeOptions): Promise<void> {
  const iface = await probeInterface(options.iface);
  const store = ImageStore.open(options.home, { create: false });
  try {
    const paths = store.paths;
    const roots = netbootRoots(paths.home);
    const settingsFile = options.settingsFile ?? path.join(paths.home, 'netboot.json');
    const settings = readNetbootSettings(settingsFile, options.settingsFile !== undefined);
    const server = options.server ?? settings.server ?? iface.address;
    const httpPort = options.httpPort ?? settings.httpPort;
    const served = { ...settings, server, httpPort };
    const files = {
      conf: path.join(roots.netboot, 'dnsmasq-serve.conf'),
      hosts: path.join(roots.netboot, 'dhcp-hosts'),
      leases: path.join(roots.netboot, 'dnsmasq.leases'),
      log: path.join(paths.home, 'log', 'netboot.log'),
      dnsmasqLog: path.join(paths.home, 'log', 'dnsmasq.log'),
    };
    const renderer = createRenderer({ siteDir: paths.templates });
    const conf = renderer.render('netboot/dnsmasq-serve', planServeDnsmasq({
      iface, server, httpPort, dhcpRange: options.dhcpRange, proxy: options.proxy, clients: store.clients.listClients(),
      tftpRoot: roots.tftpboot, hostsFile: files.hosts, leaseFile: files.leases,
    }));
    // Bound first, answering 503 until set up: a port in use then stops us before anything is written.
    let handler: http.RequestListener = (_req, res) => res.writeHead(503).end();
    const listener = await listenHttp((req, res) => handler(req, res), { host: '0.0.0.0', port: httpPort });
    const log = openRequestLog({
      file: files.log, tftpRoot: roots.tftpboot, leaseFile: files.leases, onLine: options.onRequest,
      macOfIp: (ip) => store.clients.findClientByIp(ip)?.macs[0] ?? null,
    });
    try {
      for (const file of installBootLoaders(roots.tftpboot, paths.boot)) options.onNote(`copied ${file} into ${roots.tftpboot}`);
      const render = (clients: ClientRecord[]) => renderServeFiles({ clients, renderer, home: paths.home, settings: served, flavor: options.flavor, hostsFile: files.hosts });
      let clients = store.clients.listClients();
      let menu = render(clients).menu;
      handler = createBootHandler({
        store: store.clients, menu: () => menu, renderer, base: httpBase(server, httpPort), tftpRoot: roots.tftpboot, bootRoot: paths.boot,
        log,
        // An unknown MAC takes the first host waiting for discovery (docs/netboot.md#discovery), else is listed by `si netboot unknown`.
        onUnknownMac:
          options.onUnknownMac ??
          (async (mac, ip) => {
            const bound = bindUnknownMac(store.db, mac, ip);
            if (bound?.bound) {
              options.onNote(`discovered: ${mac} (${ip}) is now ${bound.host}`);
              log.note(`discovered: ${mac} (${ip}) is now ${bound.host}`);
            }
            return bound?.host;
          }),
        // The installer's POST /events: recorded by the monitor's handler (docs/monitor.md) unless another is given.
        onEvent: options.onEvent ?? createEventsHandler({ events: installEventStore(store.db), hostOf: (mac, ip) => {
          // A client defined without a MAC is known by the address the site's DHCP gave it (as its boot menu is).
          const client = store.clients.findClientByMac(mac) ?? store.clients.findClientByIp(ip.replace(/^::ffff:/, ''));
          return client && (client.macs.length === 0 || client.macs.includes(mac)) ? client.hostname : undefined;
        }, log: (line) => {
          options.onNote(line);
          log.note(line);
        } }),
      });
      writeFileAtomic(files.conf, conf, { createParent: true });
      if (!iface.ipv6) options.onNote(`note: ${iface.name} has no global IPv6 address, so no router advertisements: iPXE waits ~13 s for IPv6 (give it e.g. an fd00::/8 address)`);
      const dnsmasq = await startDnsmasq(files.conf, { onLine: (line) => log.dnsmasqLine(line), signal: options.signal, iface: iface.name, logFile: files.dnsmasqLog });
      if (!dnsmasq) return;
      const mode = options.proxy ? 'proxyDHCP' : options.dhcpRange ? `DHCP (pool ${options.dhcpRange})` : 'DHCP (registered clients only)';
      const started = `serving on ${iface.name} (${iface.address}): ${mode}, TFTP ${roots.tftpboot}, HTTP ${httpBase(server, httpPort)}/ ; log ${files.log}; stop with Ctrl-C`;
      options.onNote(started);
      log.note(`START ${started}`);
      try {
        await watchRegistry({
          changeMark: () => store.clients.changeMark(),
          signal: options.signal,
          until: dnsmasq.exited,
          pollMs: options.pollMs ?? POLL_MS,
          reload: () => {
            // Any commit moves data_version (the monitor's events too): re-render only when the clients changed.
            const now = store.clients.listClients();
            if (JSON.stringify(now) === JSON.stringify(clients)) return;
            const result = render(now);
            // Only after a good render: a failed one is retried at the next change.
            clients = now;
            menu = result.menu;
            if (result.hostsChanged) dnsmasq.reload();
            const line = `reloaded: ${result.clients} clients${result.hostsChanged ? ', dnsmasq re-read its hosts file (SIGHUP)' : ''}`;
            options.onNote(line);
            log.note(`RELOAD ${line}`);
          },
          onError: (error) => options.onNote(`warning: kept the last boot files: ${error.message}`),
        });
      } finally {
        await dnsmasq.stop();
      }
      if (!options.signal.aborted) {
        const exit = await dnsmasq.exited;
        throw new UserError(`dnsmasq stopped on its own (exit ${exit.exitCode ?? exit.signal}): ${exit.stderrTail.trim().split('\n').at(-1) ?? ''}: see ${files.dnsmasqLog} and run si netboot serve again`, 1);
      }
    } finally {
      await closeHttp(listener);
      await log.close();
    }
  } finally {
    store.close();
  }
}

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import type { MenuOptions } from '../../core/netboot/boot-menu.js';
import { planIpxeScript } from '../../core/netboot/index.js';
import { LOCAL_BOOT_IPXE, macFromHyphens } from '../../core/netboot/serve-plan.js';
import type { ClientStore } from '../../core/registry/client-store.js';
import type { Renderer } from '../templates.js';
import type { RequestLog } from './request-log.js';

export type UnknownMacHook = (mac: string, ip: string) => Promise<string | undefined>;
export type EventHook = (body: string, remoteIp: string) => Promise<{ status: number; body: string }>;

export interface BootHandlerOptions {
  /** "Who is this MAC?", asked on every request: the answer follows the registry without a reload. */
  store: Pick<ClientStore, 'findClientByMac' | 'findClient' | 'findClientByIp'>;
  /** Settings, overlays and flavor as of the last reload. */
  menu: () => MenuOptions;
  renderer: Renderer;
  /** The server's HTTP base as the clients reach it (http://10.1.0.1[:port]). */
  base: string;
  tftpRoot: string;
  /** $SI_HOME/boot: the installer's kernel and initrd, at /boot/. */
  bootRoot: string;
  log: RequestLog;
  /** An unknown MAC asked for its script: may bind it to a waiting host (discovery) and return its name. */
  onUnknownMac?: UnknownMacHook;
  /** POST /events: the installer's progress reports. */
  onEvent?: EventHook;
}

const MAX_EVENT_BYTES = 1 << 20;
const noHost: UnknownMacHook = async () => undefined;
const noEvents: EventHook = async () => ({ status: 404, body: 'no event receiver on this boot server\n' });

/**
 * A file under root for a URL path, or null (then 404). Refuses `..` and `.` segments (also percent-encoded,
 * since the path is decoded first), NUL, and symbolic links that lead out of the root.
 */
export function resolveUnder(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const parts = decoded.split('/').filter(Boolean);
  if (decoded.includes('\0') || decoded.includes('\\') || parts.some((p) => p === '..' || p === '.')) return null;
  try {
    const realRoot = fs.realpathSync(root);
    const real = fs.realpathSync(path.join(realRoot, ...parts));
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return null;
    return fs.statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

/** The boot server's HTTP side: iPXE scripts from the registry, the installer, the TFTP root, events. */
export function createBootHandler(options: BootHandlerOptions): http.RequestListener {
  const { log, renderer } = options;
  const onUnknownMac = options.onUnknownMac ?? noHost;
  const onEvent = options.onEvent ?? noEvents;

  const reply = (req: http.IncomingMessage, res: http.ServerResponse, ip: string, status: number, body: string, mac?: string | null) => {
    const bytes = Buffer.byteLength(body);
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': bytes, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
    log.request({ proto: 'HTTP', ip, mac, path: req.url ?? '/', status, bytes: req.method === 'HEAD' ? 0 : bytes });
  };

  const sendFile = (req: http.IncomingMessage, res: http.ServerResponse, ip: string, file: string | null) => {
    if (!file) return reply(req, res, ip, 404, 'not found\n');
    const size = fs.statSync(file).size;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
    if (req.method === 'HEAD') {
      res.end();
      return log.request({ proto: 'HTTP', ip, path: req.url ?? '/', status: 200, bytes: 0 });
    }
    let sent = 0;
    const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 }); // 1 MiB reads: a third less CPU per client in a boot storm (bench/netboot)
    stream.on('data', (chunk) => (sent += chunk.length));
    stream.on('error', () => res.destroy());
    res.on('close', () => log.request({ proto: 'HTTP', ip, path: req.url ?? '/', status: 200, bytes: sent }));
    stream.pipe(res);
  };

  // A client defined without a MAC is known by its address, when the site's DHCP server gave the machine that
  // address (serve --proxy-dhcp); a host waiting for discovery is left to discovery, which records its MAC.
  const maclessAt = (ip: string) => {
    const client = options.store.findClientByIp(ip);
    return client && client.macs.length === 0 && !client.discover ? client : undefined;
  };

  const macScript = async (mac: string, ip: string): Promise<string> => {
    let client = options.store.findClientByMac(mac) ?? maclessAt(ip);
    if (!client) {
      const host = await onUnknownMac(mac, ip);
      client = host === undefined ? undefined : options.store.findClient(host);
    }
    if (!client) return LOCAL_BOOT_IPXE;
    const file = planIpxeScript(client, mac, options.menu());
    return renderer.render(file.template, file.context);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const ip = (req.socket.remoteAddress ?? '-').replace(/^::ffff:/, '');
    const urlPath = (req.url ?? '/').split('?', 1)[0]!;
    if (urlPath === '/events') {
      if (req.method !== 'POST') return reply(req, res, ip, 405, 'POST only\n');
      const body = await readBody(req);
      if (body === null) return reply(req, res, ip, 413, `an event holds at most ${MAX_EVENT_BYTES} bytes\n`);
      const answer = await onEvent(body, ip);
      return reply(req, res, ip, answer.status, answer.body);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(req, res, ip, 405, 'GET, HEAD or POST /events\n');
    if (urlPath === '/boot.ipxe') return reply(req, res, ip, 200, renderer.render('netboot/boot-ipxe', { base: options.base }));
    const script = /^\/ipxe\/([^/]+)\.ipxe$/.exec(urlPath);
    if (script) {
      const mac = macFromHyphens(script[1]!);
      if (!mac) return reply(req, res, ip, 404, 'not a MAC address\n');
      return reply(req, res, ip, 200, await macScript(mac, ip), mac);
    }
    if (urlPath.startsWith('/boot/')) return sendFile(req, res, ip, resolveUnder(options.bootRoot, urlPath.slice('/boot'.length)));
    return sendFile(req, res, ip, resolveUnder(options.tftpRoot, urlPath));
  };

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      const ip = (req.socket.remoteAddress ?? '-').replace(/^::ffff:/, '');
      if (!res.headersSent) reply(req, res, ip, 500, `boot server error: ${(error as Error).message}\n`);
      else res.destroy();
    });
  };
}

function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_EVENT_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_EVENT_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Listens on host:port; a port in use or an address not ours is one line with the fix. */
export function listenHttp(listener: http.RequestListener, { host, port }: { host: string; port: number }): Promise<http.Server> {
  const server = http.createServer(listener);
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new UserError(`port ${port} is already in use (another web server?): stop that program or give si netboot serve another --http-port`));
      else if (error.code === 'EACCES') reject(new UserError(`no permission to listen on port ${port}: run si netboot serve as root, or give a --http-port above 1023`));
      else reject(new UserError(`cannot listen on ${host}:${port} (${error.code ?? error.message}): give another --http-port`));
    });
    server.listen(port, host, () => resolve(server));
  });
}

/** Stops accepting, ends the connections in progress (a kernel download) and resolves once closed. */
export function closeHttp(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

// The boot server's HTTP side on 127.0.0.1: no path leaves its roots (raw request paths, not normalised by a
// client), the unknown-MAC and event hooks, methods, and one log line per request.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeHttp, createBootHandler, listenHttp, type EventHook, type UnknownMacHook } from '../../src/infra/netboot/http-server.js';
import { openRequestLog, type RequestLog } from '../../src/infra/netboot/request-log.js';
import { createRenderer } from '../../src/infra/templates.js';
import type { ClientRecord } from '../../src/core/clients/client-record.js';
import { CLIENTS, OVERLAYS, SETTINGS } from '../infra/netboot/fixtures.js';
import { eventually } from '../support/wait.js';

/** The registry's client at the requester's address (127.0.0.1 here), if a test puts one there. */
let atRequester: ClientRecord | undefined;
const store = {
  findClientByMac: (mac: string) => CLIENTS.find((c) => c.macs.includes(mac)),
  findClient: (host: string) => CLIENTS.find((c) => c.hostname === host),
  findClientByIp: (ip: string) => (ip === '127.0.0.1' ? atRequester : undefined),
};

function request(port: number, method: string, rawPath: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: rawPath }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('boot server HTTP', () => {
  let work: string;
  let port: number;
  let server: http.Server;
  let log: RequestLog;
  const lines: string[] = [];
  const unknown: [string, string][] = [];
  const events: [string, string][] = [];
  let bindUnknown: string | undefined;
  let eventHook: EventHook | undefined;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'si-serve-http-'));
    const tftp = path.join(work, 'home/tftpboot');
    const boot = path.join(work, 'home/boot');
    fs.mkdirSync(path.join(boot, 'x86_64/debian'), { recursive: true });
    fs.mkdirSync(path.join(tftp, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(boot, 'x86_64/debian/kernel'), 'kernel');
    fs.writeFileSync(path.join(tftp, 'ipxe.efi'), 'efi');
    fs.writeFileSync(path.join(work, 'home/sisuite.db'), 'the registry');
    fs.writeFileSync(path.join(work, 'secret'), 'secret');
    fs.symlinkSync(path.join(work, 'secret'), path.join(tftp, 'sub/out'));
    fs.symlinkSync('../ipxe.efi', path.join(tftp, 'sub/in'));
    log = openRequestLog({ file: path.join(work, 'home/log/netboot.log'), tftpRoot: tftp, onLine: (l) => lines.push(l), macOfIp: () => null });
    const onUnknownMac: UnknownMacHook = async (mac, ip) => {
      unknown.push([mac, ip]);
      return bindUnknown;
    };
    const onEvent: EventHook = async (body, ip) => {
      events.push([body, ip]);
      return eventHook ? eventHook(body, ip) : { status: 404, body: '' };
    };
    const menu = { settings: SETTINGS, server: '10.1.0.1', flavor: 'debian', overlays: OVERLAYS };
    const handler = createBootHandler({ store, menu: () => menu, renderer: createRenderer(), base: 'http://10.1.0.1:8080', tftpRoot: tftp, bootRoot: boot, log, onUnknownMac, onEvent });
    server = await listenHttp(handler, { host: '127.0.0.1', port: 0 });
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await closeHttp(server);
    await log.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('serves the roots, and no path outside them', async () => {
    expect(await request(port, 'GET', '/boot/x86_64/debian/kernel')).toEqual({ status: 200, body: 'kernel' });
    expect(await request(port, 'GET', '/ipxe.efi')).toEqual({ status: 200, body: 'efi' });
    expect(await request(port, 'GET', '/sub/in')).toEqual({ status: 200, body: 'efi' });
    for (const raw of ['/../secret', '/boot/../sisuite.db', '/boot/../../secret', '/%2e%2e/secret', '/boot/%2E%2E/sisuite.db', '/boot/..%2fsisuite.db',
      '/..%2f..%2fsecret', '/sub/out', '/boot/x86_64/debian/kernel%00', '/..\\secret', '/sub', '/%zz']) {
      const answer = await request(port, 'GET', raw);
      expect([raw, answer.status]).toEqual([raw, 404]);
      expect(answer.body).not.toContain('secret');
      expect(answer.body).not.toContain('registry');
    }
  });

  it('an unknown MAC asks the hook: no host is local boot, a host it names is served with that MAC', async () => {
    const local = await request(port, 'GET', '/ipxe/52-54-00-AA-BB-CC.ipxe');
    expect(local.status).toBe(200);
    expect(local.body).toContain('sanboot --no-describe --drive 0x80');
    expect(unknown).toEqual([['52:54:00:aa:bb:cc', '127.0.0.1']]);
    bindUnknown = 'node001';
    const bound = await request(port, 'GET', '/ipxe/52-54-00-aa-bb-cd.ipxe');
    expect(bound.body).toContain('si.host=node001');
    expect(bound.body).toContain('BOOTIF=01-52-54-00-aa-bb-cd');
    const known = await request(port, 'GET', '/ipxe/52-54-00-00-01-03.ipxe');
    expect(known.body).toContain('choose --default local ');
    expect(unknown).toHaveLength(2);
    expect((await request(port, 'GET', '/ipxe/not-a-mac.ipxe')).status).toBe(404);
  });

  it('a client defined without a MAC is served at its own address (its boot MAC as BOOTIF), before discovery; one with a MAC or waiting is not', async () => {
    bindUnknown = undefined;
    const asked = unknown.length;
    const macless = CLIENTS.find((c) => c.hostname === 'node001')!;
    atRequester = { ...macless, hostname: 'node009', macs: [], bootMode: 'install' };
    try {
      const served = await request(port, 'GET', '/ipxe/52-54-00-aa-bb-ce.ipxe');
      expect(served.body).toContain('si.host=node009');
      expect(served.body).toContain('BOOTIF=01-52-54-00-aa-bb-ce');
      expect(unknown).toHaveLength(asked);
      // Waiting for discovery: discovery decides (and records the MAC); a client with a MAC of its own is not this machine.
      for (const other of [{ ...atRequester, discover: true }, { ...atRequester, macs: ['52:54:00:00:09:09'] }]) {
        atRequester = other;
        const answer = await request(port, 'GET', '/ipxe/52-54-00-aa-bb-cf.ipxe');
        expect(answer.body).toContain('sanboot --no-describe --drive 0x80');
        expect(answer.body).not.toContain('node009');
      }
      expect(unknown).toHaveLength(asked + 2);
    } finally {
      atRequester = undefined;
    }
  });

  it('POST /events goes to the hook with the body and address; no receiver is 404; GET is 405', async () => {
    expect((await request(port, 'POST', '/events', '{"host":"node001"}')).status).toBe(404);
    eventHook = async (body) => ({ status: 202, body: `got ${body.length}\n` });
    expect(await request(port, 'POST', '/events', '{"host":"node001"}')).toEqual({ status: 202, body: 'got 18\n' });
    expect(events).toEqual([['{"host":"node001"}', '127.0.0.1'], ['{"host":"node001"}', '127.0.0.1']]);
    expect((await request(port, 'GET', '/events')).status).toBe(405);
    expect((await request(port, 'PUT', '/ipxe.efi')).status).toBe(405);
  });

  it('logs one line per request: time, protocol, address, MAC, path, status, bytes', async () => {
    const before = lines.length;
    const first = await request(port, 'GET', '/boot.ipxe');
    await request(port, 'GET', '/boot/x86_64/debian/kernel');
    const menu = await request(port, 'GET', '/ipxe/52-54-00-00-01-03.ipxe');
    await request(port, 'GET', '/nothing');
    // A file's line is written when its response closes, which may be after the client has read it.
    await eventually('four log lines', () => lines.length - before >= 4, 10_000);
    const got = lines.slice(before).sort();
    expect(got).toHaveLength(4);
    expect(got.every((l) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ HTTP 127\.0\.0\.1 /.test(l)), got.join('\n')).toBe(true);
    expect(got.map((l) => l.split(' ').slice(3).join(' '))).toEqual([
      `- /boot.ipxe 200 ${Buffer.byteLength(first.body)}`, '- /boot/x86_64/debian/kernel 200 6', '- /nothing 404 10',
      `52:54:00:00:01:03 /ipxe/52-54-00-00-01-03.ipxe 200 ${Buffer.byteLength(menu.body)}`,
    ].sort());
  });

  it('a busy port is one line with the fix', async () => {
    await expect(listenHttp(() => undefined, { host: '127.0.0.1', port })).rejects.toThrow(`port ${port} is already in use (another web server?): stop that program or give si netboot serve another --http-port`);
  });
});

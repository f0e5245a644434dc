// si netboot serve's planners: dnsmasq's config (golden files, checked by `dnsmasq --test`), the hosts file,
// the --dhcp-range rules, dnsmasq log lines, the request line and the systemd unit (`systemd-analyze verify`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRequestLine, parseDnsmasqLine } from '../../../src/core/netboot/serve-log.js';
import { parseDhcpRange, planDhcpHostsFile, planServeDnsmasq, type PlanServeOptions } from '../../../src/core/netboot/serve-plan.js';
import { planServeUnit } from '../../../src/core/netboot/serve-unit.js';
import { capture } from '../../../src/infra/run.js';
import { createRenderer } from '../../../src/infra/templates.js';
import { CLIENTS } from '../../infra/netboot/fixtures.js';

const iface = { name: 'br0', address: '10.1.0.1', prefix: 24 };
const base: PlanServeOptions = {
  iface, server: '10.1.0.1', httpPort: 80, proxy: false, clients: CLIENTS,
  tftpRoot: '/var/lib/sisuite/tftpboot', hostsFile: '/var/lib/sisuite/netboot/dhcp-hosts', leaseFile: '/var/lib/sisuite/netboot/dnsmasq.leases',
};
const render = (options: PlanServeOptions) => createRenderer().render('netboot/dnsmasq-serve', planServeDnsmasq(options));
const CASES = {
  'static': base,
  'pool': { ...base, dhcpRange: '10.1.0.100,10.1.0.199', httpPort: 8080 },
  'proxy': { ...base, proxy: true },
} satisfies Record<string, PlanServeOptions>;

describe('si netboot serve plans', () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'si-serve-plan-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it.each(Object.entries(CASES))('dnsmasq-serve.conf (%s) matches its golden file and dnsmasq --test accepts it', async (name, options) => {
    const text = render(options);
    await expect(text).toMatchFileSnapshot(`golden/dnsmasq-serve-${name}.conf`);
    // dnsmasq --test wants the hosts file to exist; the interface need not.
    const conf = path.join(work, `${name}.conf`);
    fs.writeFileSync(conf, text.replace(base.hostsFile, path.join(work, 'hosts')));
    fs.writeFileSync(path.join(work, 'hosts'), planDhcpHostsFile(CLIENTS));
    const result = await capture(['dnsmasq', '--test', '-C', conf]);
    expect(result.exitCode, result.stderr).toBe(0);
  });

  it('dnsmasq --test can fail: a broken line is refused', async () => {
    fs.writeFileSync(path.join(work, 'bad.conf'), 'tftp-max=many\n');
    expect((await capture(['dnsmasq', '--test', '-C', path.join(work, 'bad.conf')])).exitCode).not.toBe(0);
  });

  it('the static mode serves only the registry; the pool mode lends addresses; proxy mode answers PXE only', () => {
    expect(render(CASES.static)).toContain('dhcp-range=10.1.0.0,static,255.255.255.0,12h\n');
    expect(render(CASES.pool)).toContain('dhcp-range=10.1.0.100,10.1.0.199,255.255.255.0,12h\n');
    expect(render(CASES.pool)).toContain('dhcp-boot=tag:ipxe,http://10.1.0.1:8080/boot.ipxe\n');
    const proxy = render(CASES.proxy);
    expect(proxy).toContain('dhcp-range=10.1.0.0,proxy,255.255.255.0\n');
    expect(proxy).not.toContain('dhcp-authoritative');
    expect(proxy).toContain('pxe-service=tag:ipxe,x86PC,"sisuite (iPXE)",http://10.1.0.1/boot.ipxe\n');
    for (const text of Object.values(CASES).map(render)) {
      expect(text).toContain('tftp-max=1000\n');
      expect(text).toContain('enable-ra\ndhcp-range=::,constructor:br0,ra-only\n');
      expect(text).toContain('dhcp-hostsfile=/var/lib/sisuite/netboot/dhcp-hosts\n');
    }
  });

  it('the hosts file: one static lease per client with all its MACs; a client without a MAC has none', () => {
    expect(planDhcpHostsFile(CLIENTS).split('\n').filter((l) => !l.startsWith('#'))).toEqual([
      '52:54:00:00:01:01,52:54:00:00:01:02,10.1.0.11,node001',
      '52:54:00:00:01:03,10.1.0.12,node002',
      '',
    ]);
  });

  it.each([
    ['10.1.0.100', /invalid --dhcp-range "10.1.0.100": give two addresses/],
    ['10.1.0.100,10.2.0.5', /--dhcp-range 10.1.0.100,10.2.0.5 is not inside br0's subnet 10.1.0.0\/24: give host addresses of that subnet/],
    ['10.1.0.0,10.1.0.20', /not inside br0's subnet/],
    ['10.1.0.20,10.1.0.10', /ends before it starts/],
    ['10.1.0.1,10.1.0.10', /holds the server's own address 10.1.0.1/],
  ])('refuses --dhcp-range %s', (range, message) => {
    expect(() => parseDhcpRange(range, iface)).toThrow(message);
  });

  it('--dhcp-range with --proxy-dhcp is refused', () => {
    expect(() => planServeDnsmasq({ ...base, proxy: true, dhcpRange: '10.1.0.100,10.1.0.110' })).toThrow(/exclude each other/);
  });

  it('reads dnsmasq log lines: leases (ours and proxy answers), TFTP sent and not found', () => {
    expect(parseDnsmasqLine('dnsmasq-dhcp[12]: DHCPACK(br0) 10.1.0.11 52:54:00:AB:01:01 node001')).toEqual({ kind: 'lease', ip: '10.1.0.11', mac: '52:54:00:ab:01:01' });
    expect(parseDnsmasqLine('dnsmasq-dhcp[12]: PXE(br0) 10.1.0.120 52:54:00:00:00:03 undionly.kpxe')).toEqual({ kind: 'lease', ip: '10.1.0.120', mac: '52:54:00:00:00:03' });
    expect(parseDnsmasqLine('dnsmasq-tftp[12]: sent /srv/tftpboot/undionly.kpxe to 10.1.0.11')).toEqual({ kind: 'tftp', ip: '10.1.0.11', file: '/srv/tftpboot/undionly.kpxe', status: 200 });
    expect(parseDnsmasqLine('dnsmasq-tftp[12]: file /srv/tftpboot/pxelinux.cfg/default not found for 10.1.0.11')).toEqual({ kind: 'tftp', ip: '10.1.0.11', file: '/srv/tftpboot/pxelinux.cfg/default', status: 404 });
    expect(parseDnsmasqLine('dnsmasq-dhcp[12]: DHCPDISCOVER(br0) 52:54:00:00:01:01')).toBeNull();
    expect(parseDnsmasqLine('dnsmasq[12]: started, version 2.90 DNS disabled')).toBeNull();
  });

  it('a request line: TIME PROTO IP MAC PATH STATUS BYTES, blanks in a path escaped', () => {
    const time = new Date('2025-01-02T03:04:05.678Z');
    expect(formatRequestLine({ time, proto: 'TFTP', ip: '10.1.0.11', mac: '52:54:00:00:01:01', path: '/undionly.kpxe', status: 200, bytes: 74213 }))
      .toBe('2025-01-02T03:04:05Z TFTP 10.1.0.11 52:54:00:00:01:01 /undionly.kpxe 200 74213');
    expect(formatRequestLine({ time, proto: 'HTTP', ip: '10.1.0.99', mac: null, path: '/a b', status: 404, bytes: 10 }))
      .toBe('2025-01-02T03:04:05Z HTTP 10.1.0.99 - /a\\x20b 404 10');
  });

  it('the systemd unit runs the same command line and passes systemd-analyze verify', async () => {
    const si = path.join(work, 'si');
    fs.writeFileSync(si, '#!/bin/sh\n', { mode: 0o755 });
    const context = planServeUnit({ siArgv: [process.execPath, si], home: '/var/lib/sisuite 2', serveArgs: ['--interface', 'br0', '--proxy-dhcp', '--http-port', '8080'], iface: 'br0' });
    expect(context.execStart).toBe(`${process.execPath} ${si} netboot serve --interface br0 --proxy-dhcp --http-port 8080`);
    expect(context.environment).toBe('"SI_HOME=/var/lib/sisuite 2"');
    const unit = path.join(work, 'sisuite-netboot.service');
    fs.writeFileSync(unit, createRenderer().render('netboot/sisuite-netboot.service', context));
    const ok = await capture(['systemd-analyze', 'verify', unit]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stderr).not.toMatch(/sisuite-netboot\.service/);
    // The check can fail: a program that is not there.
    fs.writeFileSync(unit, fs.readFileSync(unit, 'utf8').replace(`ExecStart=${process.execPath}`, 'ExecStart=/nonexistent/node'));
    expect((await capture(['systemd-analyze', 'verify', unit])).exitCode).not.toBe(0);
    expect(() => planServeUnit({ siArgv: ['si'], home: '/x', serveArgs: [], iface: 'br0' })).toThrow(/absolute path of si/);
  });
});

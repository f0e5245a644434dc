// si netboot serve as a user runs it, inside a test world's server namespace: a real DHCP client (busybox
// udhcpc), TFTP client and HTTP client in the client namespace; a registry change while it runs; SIGTERM.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture, listensOn, startProcess, type ProcessHandle } from '../../src/infra/run.js';
import { makeImage } from '../support/images.js';
import { PROJECT, ensureBuilt, si, siOk } from '../support/si.js';
import { eventually, waitFor } from '../support/wait.js';
import { createWorld, type World } from '../world/netns.js';

const MAC = '52:54:00:12:34:56';
const LOADER = '/usr/lib/ipxe/undionly.kpxe';

describe('si netboot serve', () => {
  let world: World;
  let work: string;
  let home: string;
  let clientIp: string;

  beforeAll(async () => {
    await ensureBuilt();
    world = await createWorld({ prefix: 'nbs' });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'si-serve-'));
    home = path.join(work, 'home');
    clientIp = `${world.subnet}.50`;
    makeImage(home, 'bookworm');
    fs.writeFileSync(path.join(work, 'macs.csv'), `node001,${MAC}\n`);
    await siOk(home, ['addclients', '--hosts', 'node001', '--ip', clientIp, '--image', 'bookworm', '--macs', path.join(work, 'macs.csv')]);
    fs.mkdirSync(path.join(home, 'boot/x86_64/debian'), { recursive: true });
    fs.writeFileSync(path.join(home, 'boot/x86_64/debian/kernel'), 'a stand-in kernel\n'.repeat(1000));
    // The client's NIC gets the registered MAC; an IPv6 ULA on the bridge lets dnsmasq send router advertisements.
    await world.client.run(['ip', 'link', 'set', 'eth0', 'address', MAC]);
    await world.server.run(['ip', 'addr', 'add', 'fd00:5e:1::1/64', 'dev', 'br0', 'nodad']);
  });

  afterAll(async () => {
    await world?.destroy();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const serveArgv = (extra: string[] = []) => ['ip', 'netns', 'exec', world.server.name, `${PROJECT}bin/si`, '--home', home, 'netboot', 'serve', '--interface', 'br0', ...extra];
  const logLines = () => (fs.existsSync(path.join(home, 'log/netboot.log')) ? fs.readFileSync(path.join(home, 'log/netboot.log'), 'utf8').split('\n') : []);
  const wget = async (url: string) => (await world.client.run(['busybox', 'wget', '-q', '-O', '-', url], { timeout: 30_000 })).stdout;

  function start(extra: string[] = []): { serve: ProcessHandle; out: () => string } {
    let out = '';
    const serve = startProcess(serveArgv(extra), { env: { SI_HOME: undefined }, onStdout: (c) => (out += c), stderrTailBytes: 65536 });
    return { serve, out: () => out };
  }

  it('leases, TFTP, boot.ipxe, per-MAC script following the registry without a restart, the installer, a log line per request; SIGTERM leaves nothing', async () => {
    const { serve, out } = start();
    try {
      const ready = await serve.waitReady(() => serve.stderrTail().includes('serving on br0'), { timeoutMs: 60_000 });
      expect(ready, serve.stderrTail()).toBe('ready');

      // The registered MAC gets its static lease (a real DHCP client); then the client takes that address.
      const dhcp = await world.client.run(['busybox', 'udhcpc', '-i', 'eth0', '-n', '-q', '-f', '-t', '5', '-T', '2', '-s', '/bin/true'], { timeout: 60_000 });
      expect(`${dhcp.stdout}${dhcp.stderr}`).toContain(`lease of ${clientIp} obtained`);
      await world.client.run(['ip', 'addr', 'flush', 'dev', 'eth0']);
      await world.client.run(['ip', 'addr', 'add', `${clientIp}/24`, 'dev', 'eth0']);

      const kpxe = path.join(work, 'undionly.kpxe');
      await world.client.run(['busybox', 'tftp', '-g', '-r', 'undionly.kpxe', '-l', kpxe, world.server.address], { timeout: 60_000 });
      expect(fs.readFileSync(kpxe).equals(fs.readFileSync(LOADER))).toBe(true);
      const missing = await capture(['ip', 'netns', 'exec', world.client.name, 'busybox', 'tftp', '-g', '-r', 'nosuch.file', '-l', path.join(work, 'nosuch'), world.server.address], { timeout: 60_000 });
      expect(missing.exitCode).not.toBe(0);

      const base = `http://${world.server.address}`;
      expect(await wget(`${base}/boot.ipxe`)).toContain(`chain --autofree ${base}/ipxe/\${netX/mac:hexhyp}.ipxe`);
      const script = await wget(`${base}/ipxe/52-54-00-12-34-56.ipxe`);
      expect(script).toContain('choose --default install ');
      expect(script).toContain(`si.host=node001 si.monitor=${base}/events BOOTIF=01-52-54-00-12-34-56`);
      expect(await wget(`${base}/boot/x86_64/debian/kernel`)).toBe('a stand-in kernel\n'.repeat(1000));
      expect(await wget(`${base}/ipxe/52-54-00-99-99-99.ipxe`)).toContain('sanboot --no-describe --drive 0x80');

      // A registry change reaches the next request and the TFTP files, the process keeps running.
      const pid = serve.pid;
      await siOk(home, ['client', 'set', 'node001', '--boot', 'local']);
      expect(await waitFor(() => serve.stderrTail().includes('reloaded: 1 clients'), 30_000), serve.stderrTail()).toBe(true);
      expect(await wget(`${base}/ipxe/52-54-00-12-34-56.ipxe`)).toContain('choose --default local ');
      expect(fs.readFileSync(path.join(home, 'tftpboot/pxelinux.cfg/01-52-54-00-12-34-56'), 'utf8')).toContain('default local\n');
      expect(serve.running() && serve.pid === pid).toBe(true);

      // One line per request, with the client's IP and MAC, on stdout and in the log file.
      const requestLines = () => logLines().filter((l) => /^\S+Z (TFTP|HTTP) /.test(l));
      await eventually('seven request lines in the log and on stdout', () => requestLines().length >= 7 && out().trim().split('\n').length >= 7, 30_000);
      const lines = logLines();
      const size = fs.statSync(LOADER).size;
      const expected = [
        new RegExp(`^\\S+Z TFTP ${clientIp} ${MAC} /undionly.kpxe 200 ${size}$`),
        new RegExp(`^\\S+Z TFTP ${clientIp} ${MAC} /nosuch.file 404 0$`),
        new RegExp(`^\\S+Z HTTP ${clientIp} ${MAC} /boot.ipxe 200 \\d+$`),
        new RegExp(`^\\S+Z HTTP ${clientIp} ${MAC} /ipxe/52-54-00-12-34-56.ipxe 200 \\d+$`),
        new RegExp(`^\\S+Z HTTP ${clientIp} ${MAC} /boot/x86_64/debian/kernel 200 18000$`),
        new RegExp(`^\\S+Z HTTP ${clientIp} ${MAC} /ipxe/52-54-00-99-99-99.ipxe 200 \\d+$`.replace(MAC, '52:54:00:99:99:99')),
      ];
      for (const pattern of expected) expect(lines.filter((l) => pattern.test(l)), `${pattern}\n${lines.join('\n')}`).not.toHaveLength(0);
      const requests = lines.filter((l) => /^\S+Z (TFTP|HTTP) /.test(l));
      expect(requests, lines.join('\n')).toHaveLength(7);
      expect(out().trim().split('\n')).toEqual(requests);

      const exit = await serve.stop({ graceMs: 20_000 });
      expect(exit, exit.stderrTail).toMatchObject({ exitCode: 0 });
      expect((await world.server.processes()).filter((p) => p.includes('dnsmasq'))).toEqual([]);
    } finally {
      await serve.stop();
    }
  });

  it('a client added while it runs gets its static lease: the hosts file is rewritten and dnsmasq re-reads it (SIGHUP), no restart', async () => {
    const second = await world.addNamespace('cli2');
    const mac2 = '52:54:00:12:34:57';
    await second.run(['ip', 'link', 'set', 'eth0', 'address', mac2]);
    const { serve } = start();
    try {
      expect(await serve.waitReady(() => serve.stderrTail().includes('serving on br0'), { timeoutMs: 60_000 }), serve.stderrTail()).toBe('ready');
      const dnsmasqPids = async () => (await world.server.processes()).filter((p) => p.includes('dnsmasq-serve.conf'));
      const before = await dnsmasqPids();
      // Unknown to the registry: no lease in the default mode.
      const refused = await capture(['ip', 'netns', 'exec', second.name, 'busybox', 'udhcpc', '-i', 'eth0', '-n', '-q', '-f', '-t', '2', '-T', '1', '-s', '/bin/true'], { timeout: 60_000 });
      expect(`${refused.stdout}${refused.stderr}`).not.toContain('obtained');
      fs.writeFileSync(path.join(work, 'macs2.csv'), `node002,${mac2}\n`);
      await siOk(home, ['addclients', '--hosts', 'node002', '--ip', `${world.subnet}.51`, '--image', 'bookworm', '--macs', path.join(work, 'macs2.csv')]);
      expect(await waitFor(() => serve.stderrTail().includes('reloaded: 2 clients, dnsmasq re-read its hosts file (SIGHUP)'), 30_000), serve.stderrTail()).toBe(true);
      const dhcp = await second.run(['busybox', 'udhcpc', '-i', 'eth0', '-n', '-q', '-f', '-t', '5', '-T', '2', '-s', '/bin/true'], { timeout: 60_000 });
      expect(`${dhcp.stdout}${dhcp.stderr}`).toContain(`lease of ${world.subnet}.51 obtained`);
      expect(await dnsmasqPids()).toEqual(before);
      expect(before).toHaveLength(1);
    } finally {
      await serve.stop({ graceMs: 20_000 });
    }
  });

  it("POST /events reaches the monitor: the installer's success is recorded and its next boot is served local", async () => {
    await siOk(home, ['client', 'set', 'node001', '--boot', 'install']);
    const { serve, out } = start();
    try {
      expect(await serve.waitReady(() => serve.stderrTail().includes('serving on br0'), { timeoutMs: 60_000 }), serve.stderrTail()).toBe('ready');
      const base = `http://${world.server.address}`;
      expect(await wget(`${base}/ipxe/52-54-00-12-34-56.ipxe`)).toContain('choose --default install ');
      // As the installer sends it (docs/monitor.md): busybox wget with a JSON body.
      const event = JSON.stringify({ host: 'node001', mac: MAC, phase: 'finish', state: 'installed', message: 'done' });
      const posted = await world.client.run(['busybox', 'wget', '-q', '-O', '-', '--header', 'Content-Type: application/json', '--post-data', event, `${base}/events`], { timeout: 30_000 });
      expect(posted.stdout).toBe('recorded\n');
      expect(await wget(`${base}/ipxe/52-54-00-12-34-56.ipxe`)).toContain('choose --default local ');
      const shown = await siOk<{ installState: string; bootMode: string }>(home, ['client', 'show', 'node001', '--json']);
      expect(shown).toMatchObject({ installState: 'installed', bootMode: 'local' });
      await eventually('the event in the request log', () => out().includes(` /events 200 9\n`), 30_000);
      // A refused event is one line on stderr with the sender, and changes nothing.
      const refused = await capture(['ip', 'netns', 'exec', world.client.name, 'busybox', 'wget', '-q', '-O', '-', '--post-data', '{"host":"nosuch","phase":"copy","state":"failed"}', `${base}/events`], { timeout: 30_000 });
      expect(refused.exitCode).not.toBe(0);
      await eventually('the refusal on stderr', () => serve.stderrTail().includes(`install event from ${clientIp} refused: no client named nosuch in the registry`), 30_000);
    } finally {
      await serve.stop({ graceMs: 20_000 });
    }
  });

  it.each([
    ['no such interface', ['--interface', 'nosuch0'], /^si: no network interface nosuch0 on this server: give one of .*br0.* as --interface$/],
    ['an interface without IPv4', ['--interface', 'noaddr0'], /^si: interface noaddr0 has no IPv4 address: give it/],
    ['a range outside the subnet', ['--dhcp-range', '10.99.0.10,10.99.0.20'], /^si: --dhcp-range 10.99.0.10,10.99.0.20 is not inside br0's subnet 10\.231\.\d+\.0\/24: give host addresses of that subnet$/],
    ['a port in use', ['--http-port', '8099'], /^si: port 8099 is already in use \(another web server\?\): stop that program or give si netboot serve another --http-port$/],
  ])('refuses %s with one line and exit 2, starting nothing', async (_what, extra, message) => {
    // An interface with no address (the host kernel has veth, not dummy).
    if (!(await world.server.run(['ip', 'link', 'show']).then((r) => r.stdout.includes('noaddr0')))) {
      await world.server.run(['ip', 'link', 'add', 'noaddr0', 'type', 'veth', 'peer', 'name', 'noaddr1']);
    }
    const holder = world.server.spawn(['busybox', 'nc', '-l', '-p', '8099']);
    try {
      await eventually('the port holder', () => listensOn(holder.pid, 8099), 30_000);
      const result = await si(home, ['netboot', 'serve', '--interface', 'br0', ...extra], { ns: world.server, timeout: 60_000 });
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr.trim()).toMatch(message);
      expect((await world.server.processes()).filter((p) => p.includes('dnsmasq'))).toEqual([]);
    } finally {
      await holder.stop();
    }
  });

  it('--unit prints (or with --output writes) a systemd unit for the same command line, which systemd-analyze verify accepts', async () => {
    const printed = await siOk<string>(home, ['netboot', 'serve', '--interface', 'br0', '--proxy-dhcp', '--http-port', '8080', '--unit']);
    const execStart = printed.split('\n').find((l) => l.startsWith('ExecStart='));
    expect(execStart).toMatch(/^ExecStart=\/\S+\/node \/\S+\/bin\/si netboot serve --interface br0 --proxy-dhcp --http-port 8080$/);
    expect(printed).toContain(`Environment=SI_HOME=${fs.realpathSync(home)}\n`);
    const unit = path.join(work, 'sisuite-netboot.service');
    const result = await si(home, ['netboot', 'serve', '--interface', 'br0', '--unit', '--output', unit]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    const verify = await capture(['systemd-analyze', 'verify', unit]);
    expect(verify.exitCode, verify.stderr).toBe(0);
    expect(verify.stderr).not.toContain('sisuite-netboot.service');
  });

  it('dnsmasq that cannot start (a broken site copy of its template): one line with its message, exit 2, nothing left', async () => {
    const site = path.join(home, 'templates/netboot/dnsmasq-serve.hbs');
    fs.mkdirSync(path.dirname(site), { recursive: true });
    fs.writeFileSync(site, 'port=0\nno-such-option=1\n');
    try {
      const result = await si(home, ['netboot', 'serve', '--interface', 'br0', '--http-port', '8097'], { ns: world.server, timeout: 90_000 });
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr.trim().split('\n').filter((l) => l.startsWith('si: '))).toEqual([
        expect.stringMatching(/^si: dnsmasq could not start \(bad option at line 2 of \S+\/netboot\/dnsmasq-serve\.conf\): fix the cause, then run si netboot serve again$/),
      ]);
      expect(result.stderr).not.toMatch(/serving on/);
      expect((await world.server.processes()).filter((p) => p.includes('dnsmasq'))).toEqual([]);
      expect((await world.server.run(['ss', '-Htln', 'sport = :8097'])).stdout.trim()).toBe('');
    } finally {
      fs.rmSync(site);
    }
  });
});

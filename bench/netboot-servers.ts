// bench/netboot's two boot servers in the world's server namespace: the real `si netboot serve`, and what a
// user would set up instead by hand: plain dnsmasq (DHCP + TFTP, a static config listing the same MACs) and
// python3 -m http.server serving the same files as static ones. Plus the CPU time of a namespace's processes.
import { copyFileSync, linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listensOn, run, startProcess } from '../src/infra/run.js';
import { PROJECT } from '../test/support/si.js';
import { eventually } from '../test/support/wait.js';
import type { Netns, World } from '../test/world/netns.js';
import type { BootClient } from './netboot-clients.js';

export interface RunningServer {
  readonly name: string;
  stop(): Promise<void>;
}

export const LOADER = '/usr/lib/ipxe/undionly.kpxe';
const START_BOUND_MS = 60_000;

/** `si netboot serve --interface br0` as a user runs it; resolves once it says it is serving. */
export async function startSiServe(world: World, home: string): Promise<RunningServer> {
  let requests = 0;
  const serve = startProcess(['ip', 'netns', 'exec', world.server.name, `${PROJECT}bin/si`, '--home', home, 'netboot', 'serve', '--interface', 'br0'], {
    env: { SI_HOME: undefined },
    // One line per request on stdout; read (so the pipe never fills) and counted only.
    onStdout: (chunk) => (requests += chunk.split('\n').length - 1),
    stderrTailBytes: 65536,
  });
  const ready = await serve.waitReady(() => serve.stderrTail().includes('serving on br0'), { timeoutMs: START_BOUND_MS });
  if (ready !== 'ready') {
    await serve.stop({ graceMs: 10_000 });
    throw new Error(`si netboot serve did not start (${ready}): ${serve.stderrTail()}`);
  }
  return {
    name: 'si netboot serve',
    stop: async () => {
      const exit = await serve.stop({ graceMs: 20_000 });
      if (exit.exitCode !== 0) throw new Error(`si netboot serve exited ${exit.exitCode ?? exit.signal} after ${requests} request lines: ${exit.stderrTail}`);
    },
  };
}

/**
 * The hand-made server: a dnsmasq config with one dhcp-host line per client, tftp-max as given (dnsmasq's own
 * default of 50 drops TFTP requests in a storm of 200) and dnsmasq's defaults otherwise, and a directory laid out as si serves it: boot.ipxe, ipxe/<mac>.ipxe with a
 * kernel and initrd line, boot/x86_64/debian/{kernel,initrd.img} (hard links to the same files).
 */
export async function startPlainServer(world: World, options: { dir: string; bootDir: string; clients: readonly BootClient[]; tftpMax: number }): Promise<RunningServer> {
  const { dir, clients } = options;
  const server = world.server.address;
  const base = `http://${server}`;
  const tftp = join(dir, 'tftp');
  const www = join(dir, 'www');
  mkdirSync(tftp, { recursive: true });
  mkdirSync(join(www, 'ipxe'), { recursive: true });
  mkdirSync(join(www, 'boot/x86_64/debian'), { recursive: true });
  copyFileSync(LOADER, join(tftp, 'undionly.kpxe'));
  for (const file of ['kernel', 'initrd.img']) linkSync(join(options.bootDir, file), join(www, 'boot/x86_64/debian', file));
  writeFileSync(join(www, 'boot.ipxe'), `#!ipxe\nchain --autofree ${base}/ipxe/\${netX/mac:hexhyp}.ipxe\n`);
  for (const client of clients) {
    writeFileSync(
      join(www, 'ipxe', `${client.mac.replaceAll(':', '-')}.ipxe`),
      `#!ipxe\nkernel ${base}/boot/x86_64/debian/kernel si.host=${client.host} BOOTIF=01-${client.mac.replaceAll(':', '-')} console=ttyS0\ninitrd ${base}/boot/x86_64/debian/initrd.img\nboot\n`,
    );
  }
  const conf = join(dir, 'dnsmasq.conf');
  const subnet = world.subnet;
  writeFileSync(
    conf,
    [
      'port=0',
      'interface=br0',
      'bind-interfaces',
      'pid-file=',
      `dhcp-leasefile=${join(dir, 'dnsmasq.leases')}`,
      `dhcp-range=${subnet}.0,static,255.255.255.0,12h`,
      'dhcp-match=set:ipxe,175',
      `dhcp-boot=tag:ipxe,${base}/boot.ipxe`,
      `dhcp-boot=tag:!ipxe,undionly.kpxe,,${server}`,
      'enable-tftp',
      `tftp-root=${tftp}`,
      `tftp-max=${options.tftpMax}`,
      ...clients.map((c) => `dhcp-host=${c.mac},${c.ip},${c.host}`),
      '',
    ].join('\n'),
  );
  const dnsmasq = world.server.spawn(['dnsmasq', '--keep-in-foreground', `--conf-file=${conf}`, '--user=root', '--group=root', '--log-facility=-']);
  const python = world.server.spawn([await realPython(), '-m', 'http.server', '80', '--bind', '0.0.0.0', '--directory', www]);
  try {
    await eventually('plain dnsmasq started', () => dnsmasq.output().includes('started, version') || !dnsmasq.running(), START_BOUND_MS);
    if (!dnsmasq.running()) throw new Error(`plain dnsmasq exited: ${dnsmasq.output()}`);
    await eventually('python3 -m http.server listening', () => listensOn(python.pid, 80) || !python.running(), START_BOUND_MS);
    if (!python.running()) throw new Error(`python3 -m http.server exited: ${python.output()}`);
  } catch (error) {
    await Promise.all([dnsmasq.stop(), python.stop()]);
    throw error;
  }
  return { name: 'dnsmasq + python3 -m http.server', stop: async () => void (await Promise.all([dnsmasq.stop(), python.stop()])) };
}

/** The interpreter itself (a version manager's shim would be a wrapper process around it). */
async function realPython(): Promise<string> {
  return (await run(['python3', '-c', 'import sys; print(sys.executable)'])).stdout.trim();
}

// getconf CLK_TCK: the unit of /proc's CPU times (100 on every Linux this runs on).
const CLK_TCK = 100;

export interface Cpu {
  user: number;
  system: number;
}

/** CPU seconds (user, system) of every process in a namespace now, by pid, with its name. */
export async function namespaceCpu(ns: Netns): Promise<Map<number, Cpu & { comm: string }>> {
  const { stdout } = await run(['ip', 'netns', 'pids', ns.name]);
  const result = new Map<number, Cpu & { comm: string }>();
  for (const pid of stdout.split('\n').filter(Boolean).map(Number)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after "(comm)": state is field 3, utime 14, stime 15.
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      result.set(pid, { comm, user: Number(fields[11]) / CLK_TCK, system: Number(fields[12]) / CLK_TCK });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return result;
}

/** CPU seconds each process spent between two namespaceCpu readings, by name (processes of the same name summed). */
export function cpuSpent(before: Map<number, Cpu>, after: Map<number, Cpu & { comm: string }>): Map<string, Cpu> {
  const spent = new Map<string, Cpu>();
  for (const [pid, { comm, user, system }] of after) {
    const sum = spent.get(comm) ?? { user: 0, system: 0 };
    spent.set(comm, { user: sum.user + user - (before.get(pid)?.user ?? 0), system: sum.system + system - (before.get(pid)?.system ?? 0) });
  }
  return spent;
}

/** CPU seconds the whole machine was busy (every core, everything but idle and iowait) since boot, from /proc/stat. */
export function machineBusySeconds(): number {
  const [, user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).map(Number);
  return (user + nice + system + irq + softirq + steal) / CLK_TCK;
}

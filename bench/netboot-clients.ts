// bench/netboot's simulated machines: each a network namespace of its own on the world's bridge (a veth with
// the registered MAC), booting as a PXE client does: DHCP (busybox udhcpc), TFTP of the first loader (busybox
// tftp), then HTTP (busybox wget) of boot.ipxe, the per-MAC script it chains to, and the kernel and initrd that
// script names. Every file is checked byte for byte against the server's copy.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { capture, run, runPipeline } from '../src/infra/run.js';
import type { Netns, World } from '../test/world/netns.js';

export interface BootClient {
  readonly ns: Netns;
  readonly host: string;
  readonly mac: string;
  /** The address the registry (and the hand-written config) gives it: its namespace's own address. */
  readonly ip: string;
}

export interface BootServer {
  /** http://SERVER (port 80) */
  readonly base: string;
  readonly tftpServer: string;
  /** The loader TFTP must deliver, byte for byte. */
  readonly loader: Buffer;
  /** URL path (/boot/x86_64/debian/kernel) to the server's file it must deliver, byte for byte. */
  readonly files: ReadonlyMap<string, string>;
  /** Where the clients put their TFTP copy (one file each, removed once checked). */
  readonly scratch: string;
}

/** A bound for each client step: generous, since 2 shared cores run hundreds of them at once. */
const STEP_TIMEOUT_MS = 180_000;

export const macOf = (index: number): string => `52:54:00:be:${((index >> 8) & 0xff).toString(16).padStart(2, '0')}:${(index & 0xff).toString(16).padStart(2, '0')}`;
export const hostOf = (index: number): string => `node${String(index + 1).padStart(3, '0')}`;

/**
 * `count` client namespaces on the world's bridge, one after the other (the world numbers its hosts in
 * order), each eth0 without an address and with the client's MAC: the address has to come from DHCP.
 */
export async function addBootClients(world: World, count: number): Promise<BootClient[]> {
  const clients: BootClient[] = [];
  for (let i = 0; i < count; i += 1) {
    const ns = await world.addNamespace(`c${i}`);
    const mac = macOf(i);
    await run(['ip', '-n', ns.name, 'link', 'set', 'eth0', 'address', mac]);
    await run(['ip', '-n', ns.name, 'addr', 'flush', 'dev', 'eth0']);
    clients.push({ ns, host: hostOf(i), mac, ip: ns.address });
  }
  return clients;
}

/** Seconds from the client's first DHCP packet to its last byte of initrd; throws naming the failed step. */
export async function bootClient(client: BootClient, server: BootServer): Promise<number> {
  const inNs = (argv: string[]) => ['ip', 'netns', 'exec', client.ns.name, ...argv];
  const step = async <T>(what: string, action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      throw new Error(`${client.host} ${what}: ${(error as Error).message.split('\n').slice(0, 3).join(' / ')}`);
    }
  };
  // A previous round's address goes first, so that this round's comes from DHCP again.
  await run(['ip', '-n', client.ns.name, 'addr', 'flush', 'dev', 'eth0']);
  const started = performance.now();

  const lease = await step('DHCP', async () => {
    const dhcp = await capture(inNs(['busybox', 'udhcpc', '-i', 'eth0', '-n', '-q', '-f', '-t', '10', '-T', '3', '-s', '/bin/true']), { timeout: STEP_TIMEOUT_MS });
    const ip = /lease of (\S+) obtained/.exec(`${dhcp.stdout}${dhcp.stderr}`)?.[1];
    if (ip !== client.ip) throw new Error(`lease ${ip ?? 'none'} instead of ${client.ip}: ${dhcp.stderr.trim().split('\n').at(-1) ?? ''}`);
    return ip;
  });
  await run(['ip', '-n', client.ns.name, 'addr', 'add', `${lease}/24`, 'dev', 'eth0']);

  await step('TFTP undionly.kpxe', async () => {
    const local = join(server.scratch, `${client.host}.kpxe`);
    try {
      await run(inNs(['busybox', 'tftp', '-g', '-r', 'undionly.kpxe', '-l', local, server.tftpServer]), { timeout: STEP_TIMEOUT_MS });
      if (!readFileSync(local).equals(server.loader)) throw new Error('the loader differs from the server\'s');
    } finally {
      rmSync(local, { force: true });
    }
  });

  const wget = (url: string) => run(inNs(['busybox', 'wget', '-q', '-O', '-', url]), { timeout: STEP_TIMEOUT_MS }).then((r) => r.stdout);
  const bootIpxe = await step('HTTP boot.ipxe', () => wget(`${server.base}/boot.ipxe`));
  if (!bootIpxe.includes(`chain --autofree ${server.base}/ipxe/\${netX/mac:hexhyp}.ipxe`)) throw new Error(`${client.host}: boot.ipxe does not chain to the per-MAC script:\n${bootIpxe}`);
  // What iPXE's ${netX/mac:hexhyp} expands to.
  const script = await step('HTTP per-MAC script', () => wget(`${server.base}/ipxe/${client.mac.replaceAll(':', '-')}.ipxe`));
  const kernel = /^kernel (\S+)/m.exec(script)?.[1];
  const initrd = /^initrd (\S+)/m.exec(script)?.[1];
  if (!kernel || !initrd || !script.includes(`si.host=${client.host} `)) throw new Error(`${client.host}: its script names no installer for it:\n${script}`);

  for (const url of [kernel, initrd]) {
    const expected = server.files.get(new URL(url).pathname);
    if (!expected) throw new Error(`${client.host}: its script names ${url}, not a file this bench serves`);
    // Streamed straight into cmp: 26 MiB per client are compared, never held in memory.
    await step(`HTTP ${url}`, () => runPipeline([inNs(['busybox', 'wget', '-q', '-O', '-', url]), ['cmp', '-', expected]], { timeout: STEP_TIMEOUT_MS }));
  }
  return (performance.now() - started) / 1000;
}

export interface RoundResult {
  /** From the first client's start to the last client's last byte. */
  wallSeconds: number;
  perClient: number[];
  failures: string[];
}

/** Boots every client, at most `parallel` at a time (all at once when parallel >= clients). */
export async function bootAll(clients: readonly BootClient[], server: BootServer, parallel: number): Promise<RoundResult> {
  const perClient: number[] = [];
  const failures: string[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    // Bounded: each worker takes clients until none is left.
    while (next < clients.length) {
      const client = clients[next]!;
      next += 1;
      try {
        perClient.push(await bootClient(client, server));
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, clients.length) }, worker));
  return { wallSeconds: (performance.now() - started) / 1000, perClient, failures };
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

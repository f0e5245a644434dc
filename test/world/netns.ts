// Network namespaces for end-to-end tests: a server and a client joined on a private /24, no route out.
import { readFileSync } from 'node:fs';
import { run, type RunOptions, type RunResult } from '../../src/infra/run.js';
import { killInside, pidsInside, removeStaleNamespaces } from '../../src/infra/vm/netns.js';
import { spawnDaemon, type Daemon } from './daemon.js';

export interface Netns {
  readonly name: string;
  /** The namespace's address on the world's /24 (without prefix length). */
  readonly address: string;
  /** Runs argv inside the namespace and waits for it. */
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Starts a long-running argv inside the namespace; the world stops it on destroy(). */
  spawn(argv: readonly string[]): Daemon;
  /** Command lines of the processes running inside the namespace now (what a command left behind). */
  processes(): Promise<string[]>;
}

export interface World {
  readonly server: Netns;
  readonly client: Netns;
  /** The world's /24 as `10.231.X`. */
  readonly subnet: string;
  /** Adds another host on the server's bridge (e.g. a second client), address .3, .4, ... */
  addNamespace(role: string): Promise<Netns>;
  /** Stops every daemon, kills whatever still runs in the namespaces and deletes them. Safe to call twice. */
  destroy(): Promise<void>;
}

let worldCounter = 0;

/** Creates a fresh world. Names carry the pid so stale worlds of dead test runs can be found and removed. */
export async function createWorld({ prefix = 'si' }: { prefix?: string } = {}): Promise<World> {
  if (!/^[a-z][a-z0-9]{0,7}$/.test(prefix)) throw new Error(`createWorld: bad prefix ${prefix}`);
  await removeStaleNamespaces(prefix);
  worldCounter += 1;
  const base = `${prefix}-${process.pid}-${worldCounter}`;
  // Addresses only live inside the namespaces, so a clash between two runs is harmless; vary X anyway.
  const subnet = `10.231.${((process.pid * 7 + worldCounter) % 254) + 1}`;
  const namespaces: string[] = [];
  const daemons: Daemon[] = [];
  let destroying: Promise<void> | undefined;

  const makeNetns = (name: string, address: string): Netns => ({
    name,
    address,
    run: (argv, options) => run(['ip', 'netns', 'exec', name, ...argv], options),
    spawn: (argv) => {
      if (destroying) throw new Error(`world ${base} is destroyed`);
      const daemon = spawnDaemon(['ip', 'netns', 'exec', name, ...argv]);
      daemons.push(daemon);
      return daemon;
    },
    processes: async () => (await pidsInside(name)).map(commandLine).filter((line): line is string => line !== null),
  });

  const addNetns = async (suffix: string): Promise<string> => {
    const name = `${base}-${suffix}`;
    await run(['ip', 'netns', 'add', name]);
    namespaces.push(name);
    await run(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
    return name;
  };

  let hosts = 1;
  const server = `${base}-srv`;
  // Each further host gets a veth whose server end is enslaved to br0 (a tap for a VM can join it too).
  const attachHost = async (suffix: string): Promise<Netns> => {
    hosts += 1;
    if (hosts > 250) throw new Error('createWorld: too many hosts');
    const name = await addNetns(suffix);
    const address = `${subnet}.${hosts}`;
    const serverEnd = `vh${hosts}`;
    await run(['ip', '-n', server, 'link', 'add', serverEnd, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name]);
    await run(['ip', '-n', server, 'link', 'set', serverEnd, 'master', 'br0', 'up']);
    await run(['ip', '-n', name, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
    await run(['ip', '-n', name, 'link', 'set', 'eth0', 'up']);
    return makeNetns(name, address);
  };

  const destroy = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const daemon of daemons) await daemon.stop().catch((error: unknown) => errors.push(error));
    for (const name of [...namespaces].reverse()) {
      await killInside(name).catch((error: unknown) => errors.push(error));
      await run(['ip', 'netns', 'delete', name]).catch((error: unknown) => errors.push(error));
    }
    if (errors.length > 0) throw new AggregateError(errors, `destroying world ${base} left something behind`);
  };

  try {
    await addNetns('srv');
    await run(['ip', '-n', server, 'link', 'add', 'br0', 'type', 'bridge']);
    await run(['ip', '-n', server, 'addr', 'add', `${subnet}.1/24`, 'dev', 'br0']);
    await run(['ip', '-n', server, 'link', 'set', 'br0', 'up']);
    const client = await attachHost('cli');
    return {
      server: makeNetns(server, `${subnet}.1`),
      client,
      subnet,
      addNamespace: (role) => {
        if (!/^[a-z][a-z0-9]{0,7}$/.test(role)) throw new Error(`addNamespace: bad role ${role}`);
        return attachHost(role);
      },
      destroy: () => (destroying ??= destroy()),
    };
  } catch (error) {
    await destroy().catch(() => undefined);
    throw error;
  }
}

/** A process's argv joined by spaces, or null when it is gone. */
function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return null;
  }
}

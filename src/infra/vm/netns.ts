// A private network namespace for a VM and the daemons that serve it: a bridge holding the server's address,
// no link to the host and no route out. Deleting it removes its bridge and taps. (Moved here from
// test/world/netns.ts's world, reduced to the one namespace a VM lab needs.)
import { isAlive } from '../fs/pid-lock.js';
import { run, type RunOptions, type RunResult } from '../run.js';

export interface PrivateNet {
  readonly name: string;
  /** `10.X.Y` of the namespace's /24; the server is `.1`. */
  readonly subnet: string;
  readonly serverAddress: string;
  readonly bridge: string;
  /** argv prefixed so it runs inside the namespace. */
  inside(argv: readonly string[]): string[];
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** A tap for a VM, enslaved to the bridge and up. */
  addTap(tap: string): Promise<void>;
  /** Kills whatever still runs inside, then deletes the namespace. Safe to call twice. */
  remove(): Promise<void>;
}

const KILL_ROUNDS = 50;

/** Creates `<prefix>-<pid>-<n>`; first removes namespaces of that prefix whose process is gone (a run that was killed). */
export async function createPrivateNet({ prefix, index, ipv6 }: { prefix: string; index: number; ipv6: string }): Promise<PrivateNet> {
  if (!/^[a-z][a-z0-9]{0,7}$/.test(prefix)) throw new Error(`createPrivateNet: bad prefix ${prefix}`);
  await removeStaleNamespaces(prefix);
  const name = `${prefix}-${process.pid}-${index}`;
  // Only ever inside this namespace: a clash with another run's subnet is harmless. Vary it anyway.
  const subnet = `10.237.${((process.pid * 7 + index) % 254) + 1}`;
  const bridge = 'br0';
  const inside = (argv: readonly string[]) => ['ip', 'netns', 'exec', name, ...argv];
  let removing: Promise<void> | undefined;
  const remove = async (): Promise<void> => {
    await killInside(name);
    if ((await namespaces()).includes(name)) await run(['ip', 'netns', 'delete', name]);
  };
  await run(['ip', 'netns', 'add', name]);
  const net: PrivateNet = {
    name,
    subnet,
    serverAddress: `${subnet}.1`,
    bridge,
    inside,
    run: (argv, options) => run(inside(argv), options),
    addTap: async (tap) => {
      await run(['ip', '-n', name, 'tuntap', 'add', 'dev', tap, 'mode', 'tap']);
      await run(['ip', '-n', name, 'link', 'set', tap, 'master', bridge, 'up']);
    },
    remove: () => (removing ??= remove()),
  };
  try {
    await run(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
    await run(['ip', '-n', name, 'link', 'add', bridge, 'type', 'bridge']);
    await run(['ip', '-n', name, 'addr', 'add', `${subnet}.1/24`, 'dev', bridge]);
    // Router advertisements need a global IPv6 address on the bridge: without them iPXE waits ~13 s for IPv6.
    await run(['ip', '-n', name, 'addr', 'add', ipv6, 'dev', bridge, 'nodad']);
    await run(['ip', '-n', name, 'link', 'set', bridge, 'up']);
    return net;
  } catch (error) {
    await net.remove().catch(() => undefined);
    throw error;
  }
}

async function namespaces(): Promise<string[]> {
  const { stdout } = await run(['ip', 'netns', 'list']);
  return stdout.split('\n').map((line) => line.split(/\s/)[0] ?? '').filter(Boolean);
}

export async function pidsInside(name: string): Promise<number[]> {
  if (!(await namespaces()).includes(name)) return [];
  const { stdout } = await run(['ip', 'netns', 'pids', name]);
  return stdout.split('\n').filter(Boolean).map(Number);
}

/** SIGKILL to every process left inside (a daemon's children that left its process group), bounded. */
export async function killInside(name: string): Promise<void> {
  for (let round = 0; round < KILL_ROUNDS; round += 1) {
    const pids = await pidsInside(name);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`processes ${(await pidsInside(name)).join(' ')} in namespace ${name} survive SIGKILL`);
}

/**
 * Deletes the namespaces `<prefix>-<pid>-<n>` (and `<prefix>-<pid>-<n>-<role>`) whose pid no longer runs: what a
 * run that was killed left behind.
 */
export async function removeStaleNamespaces(prefix: string): Promise<void> {
  const pattern = new RegExp(`^${prefix}-(\\d+)-\\d+(-[a-z0-9]+)?$`);
  for (const name of await namespaces()) {
    const pid = pattern.exec(name)?.[1];
    if (pid === undefined || isAlive(Number(pid))) continue;
    await killInside(name);
    await run(['ip', 'netns', 'delete', name]);
  }
}

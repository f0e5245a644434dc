import type { Command } from 'commander';
import { UserError } from '../core/errors.js';
import { DEFAULT_HOME } from '../core/home.js';
import type { ImageStore } from '../infra/images/image-store.js';
import { note } from './output.js';

/** --home, then SI_HOME, then the default. */
export function resolveHome(command: Command): string {
  const options = command.optsWithGlobals<{ home?: string }>();
  return options.home ?? process.env.SI_HOME ?? DEFAULT_HOME;
}

/**
 * Commands that may start a registry where there is none. Every other command, on a home without one,
 * says so and creates nothing: a mistyped --home is not silently a fresh, empty registry.
 */
const STARTS_REGISTRY = new Set(['getimage', 'mkimage', 'addclients', 'client import', 'group add', 'image import']);

/**
 * Opens the store for one command and closes it afterwards, whatever happens. The store (and SQLite) loads
 * here, not with this module: a command can start other work first (si getimage its ssh connection).
 * A fault of the registry (damaged, locked, read-only, full) met on the way becomes one line; every open
 * runs PRAGMA quick_check first (about 10 ms on a 10,000-client registry), so no command works on a damaged one.
 */
export async function withStore<T>(command: Command, use: (store: ImageStore) => Promise<T> | T): Promise<T> {
  const [{ ImageStore }, { sqliteFault }] = await Promise.all([import('../infra/images/image-store.js'), import('../infra/db/registry-errors.js')]);
  const name = commandPath(command);
  const dryRun = Boolean(command.opts<{ dryRun?: boolean }>().dryRun);
  const store = ImageStore.open(resolveHome(command), {
    // A dry run changes nothing, not even by starting a registry: it plans against an empty one in memory.
    create: STARTS_REGISTRY.has(name) && !dryRun,
    emptyWhenMissing: STARTS_REGISTRY.has(name) && dryRun,
    busyTimeoutMs: busyTimeoutMs(),
    onCreate: (file) => note(`created a new registry at ${file}`),
  });
  try {
    return await use(store);
  } catch (error) {
    throw sqliteFault(error, store.paths.database, { busyTimeoutMs: Number(store.db.pragma('busy_timeout', { simple: true })) }) ?? error;
  } finally {
    store.close();
  }
}

/** `client list` for si client list: the key of the tables above. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at?.parent; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/** SI_BUSY_TIMEOUT_MS: how long a write waits for another si holding the registry (default 5 s). */
function busyTimeoutMs(): number | undefined {
  const value = process.env.SI_BUSY_TIMEOUT_MS;
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,7}$/.test(value)) throw new UserError(`invalid SI_BUSY_TIMEOUT_MS ${JSON.stringify(value)}: give milliseconds, e.g. 5000`);
  return Number(value);
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

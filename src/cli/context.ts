import type { Command } from 'commander';
import { DEFAULT_HOME } from '../core/home.js';
import type { ImageStore } from '../infra/images/image-store.js';

/** --home, then SI_HOME, then the default. */
export function resolveHome(command: Command): string {
  const options = command.optsWithGlobals<{ home?: string }>();
  return options.home ?? process.env.SI_HOME ?? DEFAULT_HOME;
}

/**
 * Opens the store for one command and closes it afterwards, whatever happens. The store (and SQLite) loads
 * here, not with this module: a command can start other work first (si getimage its ssh connection).
 */
export async function withStore<T>(command: Command, use: (store: ImageStore) => Promise<T> | T): Promise<T> {
  const { ImageStore } = await import('../infra/images/image-store.js');
  const store = ImageStore.open(resolveHome(command));
  try {
    return await use(store);
  } finally {
    store.close();
  }
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

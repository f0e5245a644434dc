// Runs the built `si` as a user would, optionally inside a test namespace, and reads the registry raw.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { capture, run } from '../../src/infra/run.js';
import type { Netns } from '../world/netns.js';

export const PROJECT = fileURLToPath(new URL('../../', import.meta.url));
const SI = `${PROJECT}bin/si`;

export interface SiResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

let built: Promise<unknown> | undefined;

/** The tests drive the compiled CLI; build it once if `npm test`'s pretest did not. */
export function ensureBuilt(): Promise<unknown> {
  built ??= existsSync(`${PROJECT}dist/main.js`) ? Promise.resolve() : run(['npx', 'tsc', '-p', `${PROJECT}tsconfig.json`], { cwd: PROJECT });
  return built;
}

export async function si(home: string, args: readonly string[], options: { ns?: Netns; timeout?: number; input?: string } = {}): Promise<SiResult> {
  await ensureBuilt();
  // Through its shebang, as a user runs it.
  const argv = [SI, '--home', home, ...args];
  const full = options.ns ? ['ip', 'netns', 'exec', options.ns.name, ...argv] : argv;
  return capture(full, { timeout: options.timeout ?? 500_000, env: { SI_HOME: undefined }, input: options.input });
}

/** si that must succeed; its JSON output parsed when --json is among the args. */
export async function siOk<T = unknown>(home: string, args: readonly string[], options: { ns?: Netns } = {}): Promise<T> {
  const result = await si(home, args, options);
  if (result.exitCode !== 0) throw new Error(`si ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
  return (args.includes('--json') ? JSON.parse(result.stdout) : result.stdout) as T;
}

/** Every table of the registry as rows, for before/after comparisons. */
export function dumpRegistry(home: string): Record<string, unknown[]> {
  const file = `${home}/sisuite.db`;
  if (!existsSync(file)) return {};
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    return Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY 1, 2`).all()]));
  } finally {
    db.close();
  }
}

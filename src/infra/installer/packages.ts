import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { debFileName, parseAptDepends, parseAptShow, type PackageVersion } from '../../core/installer/plan.js';
import { followDependency } from '../../core/installer/contents.js';
import { CommandError, run } from '../run.js';

/** Bounds the library walk: Debian's deepest library chains are a handful of levels. */
const MAX_DEPTH = 12;

/** The tool packages and the library packages they depend on, recursively (the machine's apt lists). */
export async function packageClosure(roots: readonly string[]): Promise<string[]> {
  const seen = new Set<string>(roots);
  let frontier = [...roots];
  for (let depth = 0; frontier.length > 0 && depth < MAX_DEPTH; depth++) {
    const depends = parseAptDepends((await aptCache(['depends', ...frontier])).stdout);
    const next: string[] = [];
    for (const deps of depends.values()) {
      for (const dep of deps) {
        if (!seen.has(dep) && followDependency(dep)) {
          seen.add(dep);
          next.push(dep);
        }
      }
    }
    frontier = next;
  }
  return [...seen].sort();
}

/** Each package's candidate version in the machine's apt lists; a missing package is one line. */
export async function candidates(names: readonly string[]): Promise<PackageVersion[]> {
  // Exit 100 when some are unknown: the ones found are still printed, and the missing ones named below.
  const found = parseAptShow((await aptCache(['show', '--no-all-versions', ...names], [100])).stdout);
  const missing = names.filter((name) => !found.some((p) => p.name === name));
  if (missing.length > 0) throw new UserError(`package ${missing.join(', ')} is not in this machine's apt lists: run apt-get update (or add a source that has it)`);
  return names.map((name) => found.find((p) => p.name === name) as PackageVersion);
}

/** Downloads what the cache lacks (one apt-get download), into a scratch folder first: no half files. */
export async function fetchDebs(packages: readonly PackageVersion[], debDir: string, onProgress: (line: string) => void): Promise<string[]> {
  fs.mkdirSync(debDir, { recursive: true });
  const files = packages.map((p) => path.join(debDir, debFileName(p)));
  const missing = packages.filter((_, i) => !fs.existsSync(files[i] as string));
  if (missing.length > 0) {
    onProgress(`downloading ${missing.length} package${missing.length === 1 ? '' : 's'} with apt-get download`);
    const scratch = fs.mkdtempSync(path.join(debDir, '.download-'));
    try {
      await run(['apt-get', 'download', ...missing.map((p) => `${p.name}=${p.version}`)], { cwd: scratch }).catch((error: unknown) => {
        if (error instanceof CommandError) throw new UserError(`apt-get download failed: ${lastLine(error.stderrTail)}: check the machine's apt sources and run apt-get update`);
        throw error;
      });
      for (const p of missing) fs.renameSync(path.join(scratch, debFileName(p)), path.join(debDir, debFileName(p)));
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
  return files;
}

/**
 * A package's files, extracted once into the cache (dpkg-deb -x into a scratch folder, then one rename);
 * `prepare` runs on the fresh tree before it is published (depmod for a kernel).
 */
export async function extractedDeb(deb: string, extractDir: string, prepare?: (root: string) => Promise<void>): Promise<string> {
  const root = path.join(extractDir, path.basename(deb, '.deb'));
  if (fs.existsSync(root)) return root;
  fs.mkdirSync(extractDir, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(extractDir, '.extract-'));
  try {
    await run(['dpkg-deb', '-x', deb, scratch]);
    if (prepare) await prepare(scratch);
    fs.renameSync(scratch, root);
  } catch (error) {
    fs.rmSync(scratch, { recursive: true, force: true });
    // Another build sharing the cache published the same package first: its tree is as good as ours.
    if (!fs.existsSync(root)) throw error;
  }
  return root;
}

async function aptCache(args: string[], okExitCodes: number[] = []) {
  try {
    return await run(['apt-cache', ...args], { okExitCodes });
  } catch (error) {
    if (error instanceof CommandError) throw new UserError(`apt-cache ${args[0]} failed: ${lastLine(error.stderrTail)}: run apt-get update`);
    throw error;
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter((l) => !l.startsWith('W: ')).at(-1) ?? 'no message';
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareDigests, treeDigest, type Digest, type DigestComparison, type DigestField } from '../../world/digest.js';
import { run } from '../../../src/infra/run.js';

/** Files whose content is random by design: compared by presence and mode only. */
export const RANDOM_CONTENT = /^\/etc\/machine-id$|^\/etc\/ssh\/ssh_host_|^\/etc\/sisuite\/identity$/;

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** cp -a: device nodes, owners, modes, timestamps and symlinks as they are. */
export async function copyTree(from: string, to: string): Promise<string> {
  await run(['cp', '-a', '--', from, to]);
  return to;
}

/** Where two trees differ, leaving out mtimes and the content of random identity files. */
export async function treeDifferences(a: string | Digest, b: string | Digest): Promise<DigestComparison> {
  const ignoreRandom = (path: string, field: DigestField) =>
    field === 'mtime' || (RANDOM_CONTENT.test(path) && (field === 'sha256' || field === 'size'));
  const digest = async (tree: string | Digest) => (typeof tree === 'string' ? treeDigest(tree) : tree);
  return compareDigests(await digest(a), await digest(b), { ignore: ignoreRandom });
}

/** Runs a rendered plan with sh against a tree. */
export async function runShellPlan(script: string, target: string): Promise<void> {
  await run(['sh', '-c', script, 'si-configure'], { env: { TARGET: target } });
}

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareDigests, treeDigest, type DigestComparison, type DigestField } from '../../world/digest.js';
import { run } from '../../../src/infra/run.js';

/** Files whose content is random by design: compared by presence and mode only. */
export const RANDOM_CONTENT = /^\/etc\/machine-id$|^\/etc\/ssh\/ssh_host_|^\/etc\/sisuite\/identity$/;

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function copyTree(from: string, to: string): string {
  cpSync(from, to, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  return to;
}

/** Where two trees differ, leaving out mtimes and the content of random identity files. */
export async function treeDifferences(a: string, b: string): Promise<DigestComparison> {
  const ignoreRandom = (path: string, field: DigestField) =>
    field === 'mtime' || (RANDOM_CONTENT.test(path) && (field === 'sha256' || field === 'size'));
  return compareDigests(await treeDigest(a), await treeDigest(b), { ignore: ignoreRandom });
}

/** Runs a rendered plan with sh against a tree. */
export async function runShellPlan(script: string, target: string): Promise<void> {
  await run(['sh', '-c', script, 'si-configure'], { env: { TARGET: target } });
}

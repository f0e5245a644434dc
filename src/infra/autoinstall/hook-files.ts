import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isHookName } from '../../core/autoinstall/hooks.js';
import type { Manifest } from '../../core/autoinstall/manifest.js';
import { hookFile } from '../../core/autoinstall/render-plan.js';
import { UserError } from '../../core/errors.js';
import type { HomePaths } from '../../core/home.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { listFiles, sha256 } from './script-files.js';

export const HOOK_KINDS = ['pre-install', 'post-install'] as const;
type HookKind = (typeof HOOK_KINDS)[number];

/** Where the site keeps its hooks: $SI_HOME/hooks/pre-install and post-install (beside scripts/). */
export function hooksDir(paths: HomePaths): string {
  return join(dirname(paths.scripts), 'hooks');
}

/** Hook names per kind under hooks/ (files that are not hook names are left out). */
export function listHooks(paths: HomePaths): { pre: string[]; post: string[] } {
  const names = (kind: HookKind) => listFiles(join(hooksDir(paths), kind)).filter(isHookName);
  return { pre: names('pre-install'), post: names('post-install') };
}

/** A hook's content and mode, for its copy in a generation. */
export function readHook(paths: HomePaths, kind: HookKind, name: string): { content: Buffer; mode: number } {
  const file = join(hooksDir(paths), kind, name);
  return { content: readFileSync(file), mode: statSync(file).mode & 0o777 };
}

/**
 * scripts/pre-install and scripts/post-install were where hooks lived: a hook file found in the served
 * generation that is not sisuite's copy (new, or edited there) is moved to hooks/ and reported, so that
 * the old place keeps working. With `dryRun` nothing is written; the list says what would move.
 */
export function importServedHooks({ paths, served, manifest, dryRun = false }: { paths: HomePaths; served: string | null; manifest: Manifest; dryRun?: boolean }): string[] {
  if (served === null) return [];
  const moved: string[] = [];
  for (const kind of HOOK_KINDS) {
    for (const name of listFiles(join(served, kind)).filter(isHookName)) {
      const source = join(served, kind, name);
      const content = readFileSync(source);
      const ours = manifest.files[hookFile(kind, name)];
      if (ours && ours.sha256 === sha256(content)) continue;
      const target = join(hooksDir(paths), kind, name);
      const existing = readOrNull(target);
      if (existing?.equals(content)) continue;
      if (existing && (!ours || ours.sha256 !== sha256(existing))) {
        throw new UserError(`${target} and ${source} differ and both changed since the last render: keep the one you want in ${target} and delete the other`);
      }
      if (!dryRun) writeFileAtomic(target, content, { mode: statSync(source).mode & 0o777, createParent: true });
      moved.push(`${kind}/${name}`);
    }
  }
  return moved;
}

function readOrNull(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch {
    return null;
  }
}

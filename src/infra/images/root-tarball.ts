import fs from 'node:fs';
import { UserError } from '../../core/errors.js';
import { compressionOf, exportTarArgv, extractTarArgv } from '../../core/images/archive-plans.js';
import { capture } from '../run.js';
import { isNoSpace } from './no-space.js';
import type { ImageStore } from './image-store.js';

/** Unpacks a tar file (compression found by tar) into `target`; a failure is one line with tar's reason. */
export async function untar(file: string, target: string, what: string, signal?: AbortSignal): Promise<void> {
  const result = await capture(extractTarArgv(file, target), { signal });
  if (result.exitCode === 0) return;
  if (signal?.aborted) throw new UserError('stopped', 130);
  if (result.exitCode === null) throw new UserError('cannot run tar: install it (apt-get install tar)');
  if (isNoSpace({ stderrTail: result.stderr })) throw Object.assign(new Error('tar: no space left'), { code: 'ENOSPC' });
  throw new UserError(`${what}: ${lastLine(result.stderr) ?? `tar exited ${result.exitCode}`}`);
}

export function lastLine(text: string): string | null {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).at(-1) ?? null;
}

export interface ExportResult {
  image: string;
  version: number;
  file: string;
  bytes: number;
}

/** si image export: a root tarball of one version, written beside FILE and renamed onto it when complete. */
export async function exportVersion(store: ImageStore, image: string, version: number | undefined, file: string): Promise<ExportResult> {
  const compression = compressionOf(file);
  store.requireImage(image);
  const number = version === undefined ? store.currentVersion(image)?.number : store.requireVersion(image, version).number;
  if (number === undefined) throw new UserError(`image ${image} has no current version: give --version`);
  const temporary = `${file}.tmp`;
  try {
    fs.writeFileSync(temporary, '');
  } catch (error) {
    throw new UserError(`cannot write ${file} (${(error as NodeJS.ErrnoException).code}): give a path in an existing, writable directory`);
  }
  const result = await capture(exportTarArgv(store.versionPath(image, number), temporary, compression));
  if (result.exitCode !== 0) {
    fs.rmSync(temporary, { force: true });
    if (isNoSpace({ stderrTail: result.stderr })) throw new UserError(`no space left for ${file}: the partial file was removed; free space there or export elsewhere`, 1);
    throw new UserError(`tar could not export ${image}/${number}: ${lastLine(result.stderr) ?? `exit ${result.exitCode}`}`, 1);
  }
  fs.renameSync(temporary, file);
  return { image, version: number, file, bytes: fs.statSync(file).size };
}

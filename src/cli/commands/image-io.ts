import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { parseVersionNumber } from '../../core/images/version-plans.js';
import { importImage, type ImportSource } from '../../infra/images/import-image.js';
import { exportVersion } from '../../infra/images/root-tarball.js';
import { withStore } from '../context.js';
import { formatBytes, printJson, printLine } from '../output.js';

interface ImportOptions {
  archive?: string;
  oci?: string;
  dockerArchive?: string;
  json?: boolean;
}

function importSource(options: ImportOptions): ImportSource {
  const given: ImportSource[] = [];
  if (options.archive !== undefined) given.push({ kind: 'archive', file: options.archive });
  if (options.oci !== undefined) given.push({ kind: 'oci', layout: options.oci });
  if (options.dockerArchive !== undefined) given.push({ kind: 'docker-archive', file: options.dockerArchive });
  const [only] = given;
  if (given.length !== 1 || !only) throw new UserError('give exactly one of --archive FILE, --oci DIR or --docker-archive FILE');
  return only;
}

export async function imageImportCommand(name: string, options: ImportOptions, command: Command): Promise<void> {
  const source = importSource(options);
  await withStore(command, async (store) => {
    const result = await importImage(store, name, source);
    if (options.json) return printJson(result);
    const shared = result.previous === null ? 'a new image' : `unchanged files shared with version ${result.previous}`;
    printLine(`imported ${name} version ${result.version}: ${formatBytes(result.sizeBytes)} in ${result.fileCount} files (${shared})`);
  });
}

export async function imageExportCommand(name: string, file: string, options: { imageVersion?: string; json?: boolean }, command: Command): Promise<void> {
  const version = options.imageVersion === undefined ? undefined : parseVersionNumber(options.imageVersion);
  await withStore(command, async (store) => {
    const result = await exportVersion(store, name, version, file);
    if (options.json) return printJson(result);
    printLine(`exported ${name} version ${result.version} to ${file} (${formatBytes(result.bytes)})`);
  });
}

import fs from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { checkHostAddress, checkPort, checkSshUser } from '../../core/capture/target.js';
import { checkName } from '../../core/names.js';
import { parseExcludeFile } from '../../core/capture/excludes.js';
import type { CaptureSummary } from '../../infra/capture/capture-image.js';
import { connectGolden } from '../../infra/capture/connect-golden.js';
import { hostPattern } from '../../core/ssh/known-hosts.js';
import { homePaths } from '../../core/home.js';
import { resolveHome, withStore } from '../context.js';
import { formatBytes, formatSeconds, note, printJson, printLine } from '../output.js';
import { createProgress } from '../progress.js';
import { preloadRunner } from '../../infra/run.js';

interface GetimageOptions {
  goldenClient: string;
  image: string;
  sshUser: string;
  sshPort: string;
  sshKey?: string;
  exclude: string[];
  excludeFile?: string;
  dryRun?: boolean;
  json?: boolean;
}

export async function getimageCommand(options: GetimageOptions, command: Command): Promise<void> {
  const image = checkName('image', options.image);
  const host = checkHostAddress(options.goldenClient);
  const port = checkPort(options.sshPort);
  const user = checkSshUser(options.sshUser);
  const excludes = [...options.exclude, ...(options.excludeFile ? readExcludeFile(options.excludeFile) : [])];
  const progress = createProgress({ quiet: Boolean(options.json) });
  progress.phase(`connecting to ${user}@${hostPattern(host, port)}`);
  // The connection comes first: ssh logs in, in a process of its own, while the store and the capture code
  // (execa, ssh2, SQLite) load here.
  const connection = connectGolden(homePaths(resolveHome(command)), { host, port, user, keyPath: options.sshKey });
  preloadRunner();
  const summary = await withStore(command, async (store) => {
    try {
      const { captureImage } = await import('../../infra/capture/capture-image.js');
      return await captureImage(store, connection, {
        image,
        excludes,
        dryRun: Boolean(options.dryRun),
        onProgress: options.json ? undefined : (p) => progress.update(p),
        onPhase: (text) => progress.phase(text),
      });
    } finally {
      progress.stop();
    }
  }).finally(() => connection.close());
  if (options.json) return printJson(summary);
  printSummary(summary);
}

function readExcludeFile(file: string): string[] {
  try {
    return parseExcludeFile(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new UserError(`cannot read exclude file ${file}: give a readable file with one rsync pattern a line`);
  }
}

function printSummary(s: CaptureSummary): void {
  for (const warning of s.warnings) note(`warning: ${warning}`);
  const what = s.dryRun ? `dry run: ${s.image} would be captured from ${s.source}` : `captured ${s.source} as ${s.image} version ${s.version}`;
  printLine(what);
  printLine(`  files        ${s.files}`);
  printLine(`  size         ${formatBytes(s.totalBytes)}`);
  printLine(`  transferred  ${s.transferredFiles} files, ${formatBytes(s.bytesReceived)} received, ${formatBytes(s.bytesSent)} sent`);
  printLine(`  time         ${formatSeconds(s.seconds)}`);
  printLine(`  bootloader   ${s.bootloader}`);
  if (s.previousVersion !== null && !s.dryRun) printLine(`  unchanged files are shared with version ${s.previousVersion}`);
}

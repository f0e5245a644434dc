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
import { shellWords } from '../../core/shell-quote.js';

interface GetimageOptions {
  goldenClient: string;
  image: string;
  sshUser: string;
  sshPort: string;
  sshKey?: string;
  exclude: string[];
  excludeFile?: string;
  allowEmpty?: boolean;
  always?: boolean;
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
  // (ssh2, SQLite) load here.
  const connection = connectGolden(homePaths(resolveHome(command)), { host, port, user, keyPath: options.sshKey });
  const summary = await withStore(command, async (store) => {
    try {
      const { captureImage } = await import('../../infra/capture/capture-image.js');
      return await captureImage(store, connection, {
        image,
        excludes,
        dryRun: Boolean(options.dryRun),
        allowEmpty: Boolean(options.allowEmpty),
        always: Boolean(options.always),
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
  if (s.dryRun) return printPlan(s);
  if (s.unchanged) return printLine(`no changes since version ${s.previousVersion}`);
  printLine(`captured ${s.source} as ${s.image} version ${s.version}`);
  printLine(`  files        ${s.files}`);
  printLine(`  size         ${formatBytes(s.totalBytes)}`);
  printLine(`  transferred  ${s.transferredFiles} files, ${formatBytes(s.bytesReceived)} received, ${formatBytes(s.bytesSent)} sent`);
  printLine(`  time         ${formatSeconds(s.seconds)}`);
  printLine(`  bootloader   ${s.bootloader}`);
  if (s.previousVersion !== null) printLine(`  unchanged files are shared with version ${s.previousVersion}`);
}

/** --dry-run: the plan the capture would run, then what the listing against the current version found. */
function printPlan(s: CaptureSummary): void {
  const { plan } = s;
  printLine(`dry run: would capture ${s.source} as ${s.image} version ${plan.version}; nothing was changed`);
  printLine(`  destination  ${plan.destination}${plan.resumesPartialCopy ? ' (resumes the partial copy there)' : ''}`);
  printLine(`  link-dest    ${plan.linkDest ?? '- (first version: every file is copied)'}`);
  printLine(`  requires     ${plan.requiredPaths.length ? plan.requiredPaths.join(' ') : '- (--allow-empty)'}`);
  printLine(`  excludes     ${plan.excludes.join(' ')}`);
  printLine(`  rsync        ${shellWords(plan.argv)}`);
  printLine(`  files        ${s.files}, ${formatBytes(s.totalBytes)}`);
  const against = plan.linkDest ? `differ from version ${s.previousVersion}` : 'would be copied';
  printLine(`  changed      ${s.transferredFiles} files ${against}`);
  printLine(`  bootloader   ${s.bootloader}`);
}


import fs from 'node:fs';
import path from 'node:path';
import { BOOTLOADER_EVIDENCE, buildCapturedLayout, type RawProbe } from '../../core/layout/build-captured.js';
import { LAYOUT_PATH } from '../capture/record-layout.js';
import { UserError } from '../../core/errors.js';
import { capture } from '../run.js';
import { DebootstrapOutput, type StepProgress } from './debootstrap-output.js';
import { isNoSpace, noSpaceError } from './no-space.js';
import { machineMirror } from '../apt-mirror.js';
import type { ImageStore } from './image-store.js';
import { removeTree } from './tree-ops.js';
import { unmountBelow } from '../fs/mounts.js';
import { onStopSignals } from '../process/stop-signals.js';

export interface BuildRequest {
  image: string;
  suite: string;
  mirror?: string;
  include: string[];
  variant: string;
  onPhase?: (text: string) => void;
  onProgress?: (progress: StepProgress) => void;
}

export interface BuildResult {
  image: string;
  version: number;
  source: string;
  sizeBytes: number;
  fileCount: number;
  seconds: number;
}

/**
 * si mkimage: an image from packages (debootstrap) instead of a golden client, with a default layout.
 * debootstrap cannot resume, so a failed build leaves nothing: its tree goes, and the error gives
 * debootstrap's own reason.
 */
export async function buildImage(store: ImageStore, request: BuildRequest): Promise<BuildResult> {
  const started = process.hrtime.bigint();
  const mirror = request.mirror ?? machineMirror(request.suite);
  const release = store.lock(request.image);
  const incoming = store.incomingPath(request.image);
  // SIGINT/SIGTERM stop debootstrap and let the cleanup below run (its mounts, its tree).
  const stop = onStopSignals();
  try {
    // debootstrap wants an empty target: an interrupted build starts over (a killed one's mounts go first).
    await unmountBelow(incoming);
    removeTree(incoming);
    fs.mkdirSync(incoming, { recursive: true });
    request.onPhase?.(`debootstrap ${request.suite} from ${mirror}`);
    await debootstrap(request, mirror, incoming, stop.signal);
    request.onPhase?.('recording the layout and measuring the tree');
    const layout = buildCapturedLayout(probeTree(incoming, request.image));
    const layoutFile = path.join(incoming, LAYOUT_PATH);
    fs.mkdirSync(path.dirname(layoutFile), { recursive: true });
    fs.writeFileSync(layoutFile, `${JSON.stringify(layout, null, 2)}\n`);
    const { sizeBytes, fileCount } = measureTree(incoming);
    const source = `debootstrap ${request.suite}${request.include.length ? ` +${request.include.join(',')}` : ''}`;
    const version = store.commitIncoming({
      image: request.image,
      origin: 'mkimage',
      createdAt: new Date().toISOString(),
      source,
      sizeBytes,
      fileCount,
      layout,
      excludes: [],
      note: `mirror ${mirror}`,
    });
    return { image: request.image, version: version.number, source, sizeBytes, fileCount, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  } catch (error) {
    // debootstrap mounts /proc and /sys in its target; a failed or stopped one may leave them there.
    await unmountBelow(incoming);
    store.discardIncoming(request.image);
    if (stop.signal.aborted) throw new UserError(`si mkimage was stopped: the partial build of ${request.image} was removed`, 130);
    throw isNoSpace(error) ? noSpaceError(store.paths.home, 'build') : error;
  } finally {
    stop.dispose();
    release();
  }
}

async function debootstrap(request: BuildRequest, mirror: string, target: string, signal: AbortSignal): Promise<void> {
  const variant = request.variant === 'default' ? [] : [`--variant=${request.variant}`];
  const include = request.include.length ? [`--include=${request.include.join(',')}`] : [];
  // debootstrap prints its I:/E: lines on stdout and everything else into TARGET/debootstrap/debootstrap.log.
  const output = new DebootstrapOutput(request.onProgress);
  const result = await capture(['debootstrap', ...variant, ...include, request.suite, target, mirror], { onStdout: (chunk) => output.push(chunk), signal, group: true });
  if (signal.aborted) throw new UserError('si mkimage was stopped', 130);
  if (result.exitCode === 0) return;
  if (result.exitCode === null) throw new UserError('cannot run debootstrap: install it (apt-get install debootstrap)');
  const log = readLogTail(path.join(target, 'debootstrap/debootstrap.log'));
  if (isNoSpace(null, `${result.stderr}\n${log}`)) throw Object.assign(new Error('debootstrap: no space left'), { code: 'ENOSPC' });
  const reason = output.reason() ?? lastLine(result.stderr) ?? lastLine(log) ?? 'no reason given';
  throw new UserError(`debootstrap could not build ${request.suite} from ${mirror} (exit ${result.exitCode}): ${reason}; check --mirror and --suite`, 1);
}

function readLogTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(-4000);
  } catch {
    return '';
  }
}

function lastLine(text: string): string | null {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).at(-1) ?? null;
}

/** A built tree has no disks yet: its layout is the root filesystem alone, plus what the packages put in /boot. */
export function probeTree(root: string, hostname: string): RawProbe {
  const inTree = (p: string) => path.join(root, p);
  const readOrNull = (p: string) => (fs.existsSync(inTree(p)) ? fs.readFileSync(inTree(p), 'utf8') : null);
  const sshDir = inTree('/etc/ssh');
  const hostKeys = fs.existsSync(sshDir) ? fs.readdirSync(sshDir).filter((f) => /^ssh_host_.*_key\.pub$/.test(f)).sort() : [];
  return {
    capturedAt: new Date().toISOString(),
    hostname: readOrNull('/etc/hostname') ?? hostname,
    lsblk: null,
    sfdisk: {},
    findmnt: JSON.stringify({ filesystems: [{ target: '/', source: '', fstype: 'ext4', options: 'rw,relatime' }] }),
    fstab: readOrNull('/etc/fstab'),
    swaps: null,
    mdstat: null,
    vgs: null,
    lvs: null,
    existing: BOOTLOADER_EVIDENCE.filter((p) => fs.existsSync(inTree(p))),
    bootFiles: fs.existsSync(inTree('/boot')) ? fs.readdirSync(inTree('/boot')) : [],
    machineId: readOrNull('/etc/machine-id'),
    hostKeys: hostKeys.map((f) => fs.readFileSync(path.join(sshDir, f), 'utf8')),
  };
}

/** Bytes (hard links once) and entries of a tree: a version row's size and file count. */
export function measureTree(root: string): { sizeBytes: number; fileCount: number } {
  let sizeBytes = 0;
  let fileCount = 0;
  const seen = new Set<bigint>();
  // Buffer paths: file names need not be UTF-8.
  const walk = (dir: Buffer) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true, encoding: 'buffer' })) {
      const full = Buffer.concat([dir, Buffer.from('/'), entry.name]);
      const stat = fs.lstatSync(full, { bigint: true });
      fileCount += 1;
      if (stat.isFile() && !seen.has(stat.ino)) {
        seen.add(stat.ino);
        sizeBytes += Number(stat.size);
      }
      if (stat.isDirectory()) walk(full);
    }
  };
  walk(Buffer.from(root));
  return { sizeBytes, fileCount };
}

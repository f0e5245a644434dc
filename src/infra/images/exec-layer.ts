import fs from 'node:fs';
import path from 'node:path';
import { chrootMountArgvs, execDirs, isExecLeftover, overlayArgv, POLICY_RC_D, type ExecDirs } from '../../core/images/exec-plan.js';
import { UserError } from '../../core/errors.js';
import { run } from '../run.js';
import { unmountBelow } from '../fs/mounts.js';
import { removeTree } from './tree-ops.js';

/**
 * The writable layer of si image exec/shell: an overlay over a version, with a helper layer between them that
 * holds policy-rc.d, the server's resolv.conf and missing mount points, so nothing of that is ever written into
 * the upper layer (a command that changes nothing leaves it empty). Caller holds the image's lock.
 */
export class ExecLayer {
  private constructor(
    readonly dirs: ExecDirs,
    private readonly lower: string,
  ) {}

  /** Removes what an exec killed with SIGKILL left (its mounts first), then builds and mounts a fresh layer. */
  static async open(versionsDir: string, image: string, lower: string): Promise<ExecLayer> {
    await removeLeftovers(path.join(versionsDir, image));
    const layer = new ExecLayer(execDirs(versionsDir, image, process.pid), lower);
    try {
      layer.prepare();
      await mountOverlay(overlayArgv(layer.dirs, lower, true), versionsDir);
      for (const argv of chrootMountArgvs(layer.dirs.merged)) await run(argv);
    } catch (error) {
      await layer.close();
      throw error;
    }
    return layer;
  }

  /** The view to commit: the version plus the command's changes, without the helper layer or any mount inside. */
  async commitView(): Promise<string> {
    await unmountBelow(this.dirs.root);
    await mountOverlay(overlayArgv(this.dirs, this.lower, false), path.dirname(this.dirs.root));
    return this.dirs.merged;
  }

  /** Unmounts everything below the layer's directory and removes it; safe to call twice. */
  async close(): Promise<void> {
    await unmountBelow(this.dirs.root);
    removeTree(this.dirs.root);
  }

  private prepare(): void {
    const { root, helper, upper, work, merged } = this.dirs;
    for (const dir of [root, helper, upper, work, merged]) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const mirrored = ['', 'etc', 'usr', 'usr/sbin', 'dev', 'proc', 'sys'];
    for (const dir of mirrored) this.mirrorDir(this.dirs.helper, dir);
    // The upper directory is the merged tree's root: it must carry the version's root owner, mode and times.
    this.mirrorDir(upper, '');
    fs.writeFileSync(path.join(helper, 'usr/sbin/policy-rc.d'), POLICY_RC_D, { mode: 0o755 });
    // A copy, not a bind: the image's own resolv.conf may be a symlink that would resolve on the server.
    if (fs.existsSync('/etc/resolv.conf')) fs.copyFileSync('/etc/resolv.conf', path.join(helper, 'etc/resolv.conf'));
    // Last: the helper's directories must show the version's times, and writing into them changed those.
    for (const dir of [...mirrored].reverse()) this.copyTimes(this.dirs.helper, dir);
    this.copyTimes(upper, '');
  }

  /** A helper directory with the version's owner, mode and times: copied up, it must look like the version's. */
  private mirrorDir(layer: string, rel: string): void {
    const target = path.join(layer, rel);
    fs.mkdirSync(target, { recursive: true });
    const source = lstatOrNull(path.join(this.lower, rel));
    if (!source?.isDirectory()) return fs.chmodSync(target, 0o755);
    fs.chownSync(target, Number(source.uid), Number(source.gid));
    fs.chmodSync(target, Number(source.mode) & 0o7777);
  }

  private copyTimes(layer: string, rel: string): void {
    const source = lstatOrNull(path.join(this.lower, rel));
    // Seconds as a float keep the nanoseconds to about a microsecond (a Date keeps milliseconds).
    if (source?.isDirectory()) fs.utimesSync(path.join(layer, rel), Number(source.atimeNs) / 1e9, Number(source.mtimeNs) / 1e9);
  }
}

function lstatOrNull(file: string): fs.BigIntStats | null {
  try {
    return fs.lstatSync(file, { bigint: true });
  } catch {
    return null;
  }
}

async function mountOverlay(argv: string[], where: string): Promise<void> {
  try {
    await run(argv);
  } catch (error) {
    // mount's first line says why; its last one only points at dmesg.
    const reason = (error as { stderrTail?: string }).stderrTail?.trim().split('\n')[0]?.trim() ?? String(error);
    throw new UserError(`cannot mount an overlay in ${where} (${reason}): SI_HOME must be on a local filesystem overlayfs can write to (ext4, xfs, btrfs, tmpfs), and si must run as root`);
  }
}

async function removeLeftovers(imageDir: string): Promise<void> {
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(imageDir);
  } catch {
    return;
  }
  for (const entry of entries.filter(isExecLeftover)) {
    const dir = path.join(imageDir, entry);
    await unmountBelow(dir);
    removeTree(dir);
  }
}

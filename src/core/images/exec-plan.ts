import path from 'node:path';

/**
 * Pure plan of `si image exec` / `si image shell`: where the writable layer lives and the mounts that make the
 * chroot usable, in mount order (unmounted in reverse). The version tree is only ever a lower layer.
 */
export interface ExecDirs {
  /** versions/NAME/.exec-PID: on the image store's filesystem, so the commit can hard-link from it. */
  root: string;
  /** The helper layer above the version: policy-rc.d, the server's resolv.conf, missing mount points. */
  helper: string;
  upper: string;
  work: string;
  merged: string;
}

export function execDirs(versionsDir: string, image: string, pid: number): ExecDirs {
  const root = path.join(versionsDir, image, `.exec-${pid}`);
  return { root, helper: path.join(root, 'helper'), upper: path.join(root, 'upper'), work: path.join(root, 'work'), merged: path.join(root, 'merged') };
}

/** Leftovers of an exec whose process died (SIGKILL): .exec-PID entries of the image's versions directory. */
export function isExecLeftover(entry: string): boolean {
  return /^\.exec-[0-9]+$/.test(entry);
}

/** The overlay mount; `withHelper` false gives the view that is committed (the command's changes alone). */
export function overlayArgv(dirs: ExecDirs, lower: string, withHelper: boolean): string[] {
  const lowers = withHelper ? `${dirs.helper}:${lower}` : lower;
  return ['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=${lowers},upperdir=${dirs.upper},workdir=${dirs.work}`, dirs.merged];
}

/**
 * After the overlay (see overlayArgv): the merged tree made private, so that nothing mounted inside it reaches
 * other mount namespaces and nothing from them reaches it; then /dev (bind, private too: a mount below it must
 * never land on the server's own /dev), a devpts of its own on /dev/pts with /dev/ptmx bound to its ptmx (so a
 * pty opened inside is never one of the server's), /proc and /sys. The devpts comes only after /dev is private.
 */
export function chrootMountArgvs(merged: string): string[][] {
  const dev = path.join(merged, 'dev');
  return [
    ['mount', '--make-private', merged],
    ['mount', '--bind', '/dev', dev],
    ['mount', '--make-private', dev],
    // gid 5 is the tty group of Debian and Red Hat images: glibc no longer chowns a new pty itself.
    ['mount', '-t', 'devpts', 'devpts', '-o', 'newinstance,ptmxmode=0666,mode=0620,gid=5,nosuid,noexec', path.join(dev, 'pts')],
    ['mount', '--bind', path.join(dev, 'pts/ptmx'), path.join(dev, 'ptmx')],
    ['mount', '-t', 'proc', 'proc', path.join(merged, 'proc')],
    ['mount', '-t', 'sysfs', 'sysfs', path.join(merged, 'sys')],
  ];
}

/** Debian's invoke-rc.d asks this program; 101 = "action forbidden": no service starts inside the image. */
export const POLICY_RC_D = '#!/bin/sh\n# written by si image exec while a command runs; not part of the image\nexit 101\n';

/** The environment of the chrooted command: the image's own PATH, not the server's. */
export const CHROOT_ENV: Record<string, string> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  LC_ALL: 'C.UTF-8',
};

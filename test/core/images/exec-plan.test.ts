import { describe, expect, it } from 'vitest';
import { chrootMountArgvs, execDirs, isExecLeftover, overlayArgv } from '../../../src/core/images/exec-plan.js';

describe('exec plan', () => {
  const dirs = execDirs('/srv/si/versions', 'compute', 42);

  it('puts the layer beside the versions, on the image store\'s filesystem', () => {
    expect(dirs).toEqual({
      root: '/srv/si/versions/compute/.exec-42',
      helper: '/srv/si/versions/compute/.exec-42/helper',
      upper: '/srv/si/versions/compute/.exec-42/upper',
      work: '/srv/si/versions/compute/.exec-42/work',
      merged: '/srv/si/versions/compute/.exec-42/merged',
    });
  });

  it('mounts the helper layer above the version while the command runs, and the version alone for the commit', () => {
    const lower = '/srv/si/versions/compute/3';
    expect(overlayArgv(dirs, lower, true)).toEqual([
      'mount', '-t', 'overlay', 'overlay', '-o',
      `lowerdir=${dirs.helper}:${lower},upperdir=${dirs.upper},workdir=${dirs.work}`, dirs.merged,
    ]);
    expect(overlayArgv(dirs, lower, false)[5]).toBe(`lowerdir=${lower},upperdir=${dirs.upper},workdir=${dirs.work}`);
  });

  it('mounts /dev, a devpts of its own with /dev/ptmx on it, /proc and /sys inside the merged tree only, the tree and /dev private first', () => {
    const argvs = chrootMountArgvs(dirs.merged);
    expect(argvs.filter((a) => a[1] !== '--make-private').map((argv) => argv.at(-1))).toEqual([
      `${dirs.merged}/dev`, `${dirs.merged}/dev/pts`, `${dirs.merged}/dev/ptmx`, `${dirs.merged}/proc`, `${dirs.merged}/sys`,
    ]);
    expect(argvs.filter((a) => a[1] === '--make-private').map((argv) => argv.at(-1))).toEqual([dirs.merged, `${dirs.merged}/dev`]);
    // A devpts mounted below /dev before /dev is private would reach the server's /dev/pts.
    const devpts = argvs.findIndex((a) => a.includes('devpts'));
    expect(devpts).toBeGreaterThan(argvs.findIndex((a) => a[1] === '--make-private' && a[2] === `${dirs.merged}/dev`));
    expect(argvs[devpts]).toEqual(['mount', '-t', 'devpts', 'devpts', '-o', 'newinstance,ptmxmode=0666,mode=0620,gid=5,nosuid,noexec', `${dirs.merged}/dev/pts`]);
    expect(argvs[devpts + 1]).toEqual(['mount', '--bind', `${dirs.merged}/dev/pts/ptmx`, `${dirs.merged}/dev/ptmx`]);
  });

  it('knows what an exec killed with SIGKILL left', () => {
    expect(['.exec-123', '.exec-', '.exec-12x', '.incoming', '3'].filter(isExecLeftover)).toEqual(['.exec-123']);
  });
});

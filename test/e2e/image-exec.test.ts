// si image exec / si image shell on a real debootstrapped image: overlayfs, chroot and rsync --link-dest for real.
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMountinfo } from '../../src/core/configure/mountinfo.js';
import { mountPointsBelow, unmountBelow } from '../../src/infra/fs/mounts.js';
import { startProcess } from '../../src/infra/run.js';
import { minbaseTree } from '../world/debootstrap-cache.js';
import { compareDigests, ignoreDirectoryMtimes, treeDigest } from '../world/digest.js';
import { walkTree } from '../world/walk.js';
import { makeImageFromTree } from '../support/images.js';
import { dumpRegistry, ensureBuilt, PROJECT, si, siOk } from '../support/si.js';
import { eventually } from '../support/wait.js';

describe('si image exec and si image shell', () => {
  let home: string;
  const version = (n: number, image = 'img') => join(home, 'versions', image, String(n));
  const versions = async (image = 'img') => (await siOk<{ number: number }[]>(home, ['image', 'versions', image, '--json'])).map((v) => v.number);
  /** Every mount below the home, read from this process's mount table. */
  const mountsLeft = () => mountPointsBelow(home);
  const execDirsLeft = (image = 'img') => readdirSync(join(home, 'versions', image)).filter((e) => e.startsWith('.exec') || e === '.incoming');
  /** Regular files of version b that are not hard links to the same path in version a. */
  const freshFiles = (a: string, b: string) => {
    const inodes = new Map(walkTree(a).filter((e) => e.stats.isFile()).map((e) => [e.path, e.stats.ino]));
    return walkTree(b).filter((e) => e.stats.isFile() && inodes.get(e.path) !== e.stats.ino).map((e) => e.path);
  };
  /** The server's mounts on /dev and below, as a process of this mount namespace sees them. */
  const serverDevMounts = (mountinfo: string) => parseMountinfo(mountinfo).filter((m) => m.mountPoint === '/dev' || m.mountPoint.startsWith('/dev/'));

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'si-image-exec-'));
    const tree = join(home, 'tree');
    await Promise.all([minbaseTree(tree), ensureBuilt()]);
    makeImageFromTree(home, 'img', tree);
  }, 600_000);
  afterAll(async () => {
    await unmountBelow(home);
    rmSync(home, { recursive: true, force: true });
  });

  it('commits exactly the changes of a command as a new version sharing every unchanged file; earlier versions stay as they were', async () => {
    const before = await treeDigest(version(1));
    const motd = readFileSync(join(version(1), 'etc/motd'));
    const script = 'echo x >>/etc/motd; rm /etc/issue.net; invoke-rc.d ssh start; cat /etc/resolv.conf';
    const result = await si(home, ['image', 'exec', 'img', '--', 'sh', '-c', script]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('- /etc/issue.net\nM /etc/motd\n0 added, 1 removed, 1 changed\nversion 2\n');
    // Services do not start inside (policy-rc.d says 101), and the server's resolv.conf is what the command saw.
    expect(result.stderr).toContain('policy-rc.d denied execution of start');
    expect(result.stdout).toContain(readFileSync('/etc/resolv.conf', 'utf8'));
    expect(await versions()).toEqual([1, 2]);

    const after1 = await treeDigest(version(1));
    expect(compareDigests(before, after1)).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
    expect(readFileSync(join(version(1), 'etc/motd'))).toEqual(motd);
    const v2 = await treeDigest(version(2));
    const diff = compareDigests(before, v2, { ignore: ignoreDirectoryMtimes });
    expect(diff.onlyInA).toEqual(['/etc/issue.net']);
    expect(diff.onlyInB).toEqual([]);
    expect(diff.differ.map((d) => d.path)).toEqual(['/etc/motd']);
    expect(readFileSync(join(version(2), 'etc/motd'))).toEqual(Buffer.concat([motd, Buffer.from('x\n')]));
    // Nothing of the helper layer reached the version.
    expect(existsSync(join(version(2), 'usr/sbin/policy-rc.d'))).toBe(false);
    expect(readFileSync(join(version(2), 'etc/resolv.conf'))).toEqual(readFileSync(join(version(1), 'etc/resolv.conf')));

    const inodes1 = new Map(walkTree(version(1)).filter((e) => e.stats.isFile()).map((e) => [e.path, e.stats.ino]));
    const files2 = walkTree(version(2)).filter((e) => e.stats.isFile());
    const fresh = files2.filter((e) => inodes1.get(e.path) !== e.stats.ino).map((e) => e.path);
    expect(fresh).toEqual(['/etc/motd']);
    expect(files2.length).toBeGreaterThan(1000);
    expect(mountsLeft()).toEqual([]);
    expect(execDirsLeft()).toEqual([]);
  }, 300_000);

  it('a command that needs a pty gets one from a devpts of its own, while the server\'s /dev/pts stays as it was', async () => {
    const server = readFileSync(`/proc/${process.pid}/mountinfo`, 'utf8');
    // /proc inside is the server's: the command reads this process's mount table while its own mounts are up.
    const script = `script -qc tty /dev/null; stat -f -c %T /dev/ptmx; ls /dev/pts; echo ---; cat /proc/${process.pid}/mountinfo`;
    const result = await si(home, ['image', 'exec', 'img', '--', 'sh', '-c', script]);
    expect(result.exitCode, result.stderr).toBe(0);
    const [inside, during] = result.stdout.split('---\n');
    // script prints the pty it made (through the pty: \r\n); /dev/ptmx is the new instance's, which holds no pty of the server.
    expect(inside).toMatch(/^\/dev\/pts\/\d+\r\ndevpts\nptmx\n$/);
    expect(serverDevMounts(during ?? '')).toEqual(serverDevMounts(server));
    const layerMounts = parseMountinfo(during ?? '').map((m) => m.mountPoint).filter((m) => m.startsWith(`${home}/`));
    expect(layerMounts.map((m) => m.replace(/^.*\/merged/, '')).sort()).toEqual(['', '/dev', '/dev/ptmx', '/dev/pts', '/proc', '/sys']);
    expect(result.stdout).toMatch(/no changes since version 2\n$/);
    expect(serverDevMounts(readFileSync(`/proc/${process.pid}/mountinfo`, 'utf8'))).toEqual(serverDevMounts(server));
    expect(mountsLeft()).toEqual([]);
    expect(execDirsLeft()).toEqual([]);
  }, 300_000);

  it('a command that changes nothing makes no version; --always makes one; --dry-run shows the diff and commits nothing', async () => {
    const registry = dumpRegistry(home);
    const unchanged = await si(home, ['image', 'exec', 'img', '--', 'cat', '/etc/hostname']);
    expect(unchanged.exitCode, unchanged.stderr).toBe(0);
    expect(unchanged.stdout).toMatch(/no changes since version 2\n$/);
    expect(dumpRegistry(home)).toEqual(registry);

    const dry = await si(home, ['image', 'exec', 'img', '--dry-run', '--', 'sh', '-c', 'echo y >/root/new']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('+ /root/new\n1 added, 0 removed, 0 changed\ndry run: no version made, img is still version 2\n');
    expect(dumpRegistry(home)).toEqual(registry);
    expect(existsSync(join(home, 'images/img/root/new'))).toBe(false);

    const always = await siOk<{ result: string; version: number }>(home, ['image', 'exec', 'img', '--always', '--json', '--', 'true']);
    expect(always).toMatchObject({ result: 'committed', version: 3 });
    expect(compareDigests(await treeDigest(version(2)), await treeDigest(version(3)), { ignore: ignoreDirectoryMtimes })).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
    expect(mountsLeft()).toEqual([]);
    expect(execDirsLeft()).toEqual([]);
  }, 300_000);

  it('a failing command, --abort and a killed command leave no version, no mounts and no layer', async () => {
    const registry = dumpRegistry(home);
    const failed = await si(home, ['image', 'exec', 'img', '--', 'sh', '-c', 'echo y >/root/new; exit 3']);
    expect(failed.exitCode).toBe(3);
    expect(failed.stderr).toMatch(/^si: .*exited with 3 in img: no version was made \(still version 3\)\n$/);

    const aborted = await si(home, ['image', 'exec', 'img', '--abort', '--', 'sh', '-c', 'echo y >/root/new']);
    expect(aborted.exitCode, aborted.stderr).toBe(0);
    expect(aborted.stdout).toContain('--abort: no version made, img is still version 3');

    // The chrooted command killed (SIGKILL) while it runs.
    const killed = startProcess([`${PROJECT}bin/si`, '--home', home, 'image', 'exec', 'img', '--', 'sh', '-c', 'echo $$ >/root/pid; exec sleep 300'], { env: { SI_HOME: undefined } });
    const pidFile = () => execDirsLeft().map((d) => join(home, 'versions/img', d, 'upper/root/pid')).find((f) => existsSync(f) && readFileSync(f, 'utf8').endsWith('\n'));
    await eventually('the command in the image to start', () => pidFile() !== undefined, 120_000);
    process.kill(Number(readFileSync(pidFile() as string, 'utf8')), 'SIGKILL');
    const exit = await killed.exited;
    expect(exit.exitCode).toBe(1);
    expect(exit.stderrTail).toMatch(/could not run or was killed in img: no version was made/);

    // si itself stopped (SIGTERM) while the command runs.
    const stopped = startProcess([`${PROJECT}bin/si`, '--home', home, 'image', 'exec', 'img', '--', 'sh', '-c', 'touch /root/started; sleep 300'], { env: { SI_HOME: undefined } });
    const started = () => execDirsLeft().some((d) => existsSync(join(home, 'versions/img', d, 'upper/root/started')));
    await eventually('the command in the image to start', started, 120_000);
    expect(mountsLeft().length).toBeGreaterThan(0);
    stopped.signal('SIGTERM');
    const stop = await stopped.exited;
    expect(stop.exitCode).toBe(130);
    expect(stop.stderrTail).toMatch(/si image exec was stopped: img is unchanged \(still version 3\)/);

    expect(dumpRegistry(home)).toEqual(registry);
    expect(mountsLeft()).toEqual([]);
    expect(execDirsLeft()).toEqual([]);
  }, 300_000);

  it('cleans up after an exec killed with SIGKILL at the next one', async () => {
    const registry = dumpRegistry(home);
    const killed = startProcess([`${PROJECT}bin/si`, '--home', home, 'image', 'exec', 'img', '--', 'sh', '-c', 'touch /root/started; sleep 300'], { env: { SI_HOME: undefined } });
    const started = () => execDirsLeft().some((d) => existsSync(join(home, 'versions/img', d, 'upper/root/started')));
    await eventually('the command in the image to start', started, 120_000);
    killed.signal('SIGKILL');
    await killed.exited;
    expect(mountsLeft().map((m) => m.replace(/^.*\/merged/, '')).sort()).toEqual(['', '/dev', '/dev/ptmx', '/dev/pts', '/proc', '/sys']);
    expect(dumpRegistry(home)).toEqual(registry);
    const next = await si(home, ['image', 'exec', 'img', '--', 'true']);
    expect(next.exitCode, next.stderr).toBe(0);
    expect(next.stdout).toMatch(/no changes since version 3\n$/);
    expect(mountsLeft()).toEqual([]);
    expect(execDirsLeft()).toEqual([]);
  }, 300_000);

  it('si image shell commits what the shell did on exit 0, and never with --abort', async () => {
    const aborted = await si(home, ['image', 'shell', 'img', '--abort'], { input: 'echo shell >/root/from-shell\nexit 0\n' });
    expect(aborted.exitCode, aborted.stderr).toBe(0);
    expect(aborted.stdout).toContain('+ /root/from-shell\n1 added, 0 removed, 0 changed\n--abort: no version made, img is still version 3\n');
    const shell = await si(home, ['image', 'shell', 'img'], { input: 'echo shell >/root/from-shell\nexit 0\n' });
    expect(shell.exitCode, shell.stderr).toBe(0);
    expect(shell.stdout).toMatch(/\+ \/root\/from-shell\n1 added, 0 removed, 0 changed\nversion 4\n$/);
    expect(readFileSync(join(version(4), 'root/from-shell'), 'utf8')).toBe('shell\n');
    const failed = await si(home, ['image', 'shell', 'img'], { input: 'echo more >/root/more\nexit 1\n' });
    expect(failed.exitCode).toBe(1);
    expect(await versions()).toEqual([1, 2, 3, 4]);
    expect(mountsLeft()).toEqual([]);
    expect(execDirsLeft()).toEqual([]);
  }, 300_000);

  // The machine's apt mirror is the image's (debootstrap used it); the test names no host.
  it('apt-get install from the apt mirror makes a version that differs from the previous one by exactly the reported changes', async (context) => {
    const lists = join(version(4), 'var/lib/apt/lists');
    if (!readdirSync(lists).some((f) => f.endsWith('_Packages'))) return context.skip('the cached image has no apt lists');
    const before = await treeDigest(version(4));
    const result = await si(home, ['image', 'exec', 'img', '--json', '--', 'apt-get', 'install', '-y', '--no-install-recommends', 'hello']);
    if (result.exitCode !== 0 && /Failed to fetch|Temporary failure resolving|Could not connect|Unable to connect/.test(result.stderr)) {
      return context.skip(`the apt mirror does not answer: ${result.stderr.split('\n').find((l) => /Fail|Could not|Unable/.test(l))}`);
    }
    expect(result.exitCode, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { version: number; added: string[]; removed: string[]; changed: string[] };
    expect(summary.version).toBe(5);
    expect(summary.added).toContain('/usr/bin/hello');
    expect(summary.removed).toEqual([]);
    expect(compareDigests(before, await treeDigest(version(4)))).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
    const diff = compareDigests(before, await treeDigest(version(5)), { ignore: ignoreDirectoryMtimes });
    expect(diff.onlyInA).toEqual([]);
    expect(diff.onlyInB.sort()).toEqual([...summary.added].sort());
    expect(diff.differ.map((d) => d.path).sort()).toEqual([...summary.changed].sort());
    const inodes = new Map(walkTree(version(4)).filter((e) => e.stats.isFile()).map((e) => [e.path, e.stats.ino]));
    const touched = new Set([...summary.added, ...summary.changed]);
    const fresh = walkTree(version(5)).filter((e) => e.stats.isFile() && !touched.has(e.path) && inodes.get(e.path) !== e.stats.ino);
    expect(fresh.map((e) => e.path)).toEqual([]);
    const hello = await si(home, ['image', 'exec', 'img', '--', 'hello']);
    expect(hello.stdout).toBe('Hello, world!\nno changes since version 5\n');
    expect(mountsLeft()).toEqual([]);
  }, 300_000);

  // The issue's own example, on an image of its own so that its version numbers do not depend on the tests above.
  it('echo >>, rm and a real dpkg-reconfigure: the new version is the previous one plus exactly those changes; earlier versions keep theirs, the shared /etc/motd included', async () => {
    const tree = join(home, 'tree-tz');
    await minbaseTree(tree);
    makeImageFromTree(home, 'tz', tree);
    // Version 2 shares every file with version 1: its /etc/motd is one inode in two versions before the >> below.
    expect(await siOk(home, ['image', 'exec', 'tz', '--always', '--', 'true'])).toMatch(/version 2\n$/);
    expect(statSync(join(version(2, 'tz'), 'etc/motd')).ino).toBe(statSync(join(version(1, 'tz'), 'etc/motd')).ino);
    const before1 = await treeDigest(version(1, 'tz'));
    const before2 = await treeDigest(version(2, 'tz'));
    const motd = readFileSync(join(version(2, 'tz'), 'etc/motd'));
    expect(readlinkSync(join(version(2, 'tz'), 'etc/localtime'))).toBe('/usr/share/zoneinfo/Etc/UTC');

    // tzdata's config takes the zone from /etc/timezone when /etc/localtime is no link; its postinst then makes the link.
    const script = 'echo x >>/etc/motd; rm /etc/issue.net; rm /etc/localtime; echo Europe/Paris >/etc/timezone; DEBIAN_FRONTEND=noninteractive dpkg-reconfigure tzdata';
    const result = await si(home, ['image', 'exec', 'tz', '--', 'sh', '-c', script]);
    expect(result.exitCode, result.stderr).toBe(0);
    // debconf gives maintainer scripts' output to stderr (its stdout is the protocol).
    expect(result.stderr).toContain("Current default time zone: 'Europe/Paris'\n");
    // What dpkg-reconfigure tzdata changes besides the command's own edits: the link and debconf's database (with its backups).
    const debconf = ['config.dat', 'config.dat-old', 'templates.dat', 'templates.dat-old'].map((f) => `/var/cache/debconf/${f}`);
    const changed = ['/etc/localtime', '/etc/motd', '/etc/timezone', ...debconf];
    expect(result.stdout).toContain(`- /etc/issue.net\n${changed.map((p) => `M ${p}\n`).join('')}0 added, 1 removed, 7 changed\nversion 3\n`);
    expect(await versions('tz')).toEqual([1, 2, 3]);

    expect(compareDigests(before1, await treeDigest(version(1, 'tz')))).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
    expect(compareDigests(before2, await treeDigest(version(2, 'tz')))).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
    expect(readFileSync(join(version(1, 'tz'), 'etc/motd'))).toEqual(motd);
    expect(statSync(join(version(2, 'tz'), 'etc/motd')).ino).toBe(statSync(join(version(1, 'tz'), 'etc/motd')).ino);

    const diff = compareDigests(before2, await treeDigest(version(3, 'tz')), { ignore: ignoreDirectoryMtimes });
    expect(diff.onlyInA).toEqual(['/etc/issue.net']);
    expect(diff.onlyInB).toEqual([]);
    expect(diff.differ.map((d) => d.path).sort()).toEqual(changed);
    const v3 = (file: string) => join(version(3, 'tz'), file);
    expect(readFileSync(v3('etc/motd'))).toEqual(Buffer.concat([motd, Buffer.from('x\n')]));
    expect(readFileSync(v3('etc/timezone'), 'utf8')).toBe('Europe/Paris\n');
    expect(lstatSync(v3('etc/localtime')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(v3('etc/localtime'))).toBe('/usr/share/zoneinfo/Europe/Paris');
    expect(readFileSync(v3('var/cache/debconf/config.dat'), 'utf8')).toContain('Name: tzdata/Zones/Europe\nTemplate: tzdata/Zones/Europe\nValue: Paris\n');
    // Every other regular file is the previous version's inode.
    expect(freshFiles(version(2, 'tz'), version(3, 'tz')).sort()).toEqual(changed.filter((p) => p !== '/etc/localtime'));
    expect(mountsLeft()).toEqual([]);
    expect(execDirsLeft('tz')).toEqual([]);
  }, 600_000);
});

// si image exec / si image shell on a real debootstrapped image: overlayfs, chroot and rsync --link-dest for real.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  const version = (n: number) => join(home, 'versions/img', String(n));
  const versions = async () => (await siOk<{ number: number }[]>(home, ['image', 'versions', 'img', '--json'])).map((v) => v.number);
  /** Every mount below the home, read from this process's mount table. */
  const mountsLeft = () => mountPointsBelow(home);
  const execDirsLeft = () => readdirSync(join(home, 'versions/img')).filter((e) => e.startsWith('.exec') || e === '.incoming');

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
    expect(mountsLeft().length).toBeGreaterThan(0);
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
});

// si image test for real (QEMU TCG, root): the bootable golden image captured by si getimage passes under BIOS;
// a version whose kernel was removed and one whose fstab was broken, both made with si image exec, fail naming
// their stage. The three runs go at once (each its own namespace, boot server and VM). After each, nothing is
// left: no namespace, mount, loop device, QEMU or daemon, no throwaway home; the user's registry is unchanged.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture, startProcess } from '../../src/infra/run.js';
import { bootableImage } from '../world/bootable-image.js';
import { dumpRegistry, PROJECT, si, siOk, type SiResult } from '../support/si.js';

const INSTALLER_CACHE = process.env.SI_TEST_INSTALLER_CACHE || '/var/cache/sisuite-test/installer';
/** A bound for a stuck run on a loaded machine, not an expectation (three TCG VMs share 2 cores). */
const RUN_BOUND_MS = 40 * 60_000;

interface Report {
  result: 'pass' | 'fail';
  image: string;
  version: number;
  firmware: string;
  stages: { name: string; seconds: number; ok: boolean }[];
  failedStage: string | null;
  reason: string | null;
  consoleTail: string;
}

describe('si image test', () => {
  let home: string;
  let registryBefore: Record<string, unknown[]>;
  const runs = new Map<string, Promise<SiResult & { seconds: number }>>();

  const imageTest = (key: string, version: number) => {
    const started = Date.now();
    const args = ['image', 'test', 'golden', '--image-version', String(version), '--accel', 'tcg', '--timeout', '2400', '--json'];
    runs.set(key, si(home, args, { timeout: RUN_BOUND_MS }).then((result) => ({ ...result, seconds: (Date.now() - started) / 1000 })));
  };
  const finished = async (key: string) => {
    const result = await (runs.get(key) as Promise<SiResult & { seconds: number }>);
    const report = JSON.parse(result.stdout || '{}') as Report;
    const why = `${report.failedStage ? `\nfailed at ${report.failedStage}: ${report.reason}` : ''}\nconsole tail:\n${report.consoleTail}`;
    console.log(`si image test (${key}): ${result.seconds.toFixed(0)} s in all, exit ${result.exitCode}\n${result.stderr.trim()}${why}`);
    return { result, report };
  };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'si-image-test-'));
    await bootableImage({ siHome: home });
    await siOk(home, ['mkinstaller', '--cache', INSTALLER_CACHE]);
    // Version 2: no kernel. Version 3 (from 1): an fstab entry the installer keeps (not a block device) that cannot mount.
    await siOk(home, ['image', 'exec', 'golden', '--', 'sh', '-c', 'rm -f /boot/vmlinuz-* /vmlinuz /vmlinuz.old']);
    await siOk(home, ['image', 'rollback', 'golden', '1']);
    await siOk(home, ['image', 'exec', 'golden', '--', 'sh', '-c', 'echo "tmpfs /srv/broken tmpfs size=1M,nosuchoption 0 0" >>/etc/fstab']);
    registryBefore = dumpRegistry(home);
    imageTest('good', 1);
    imageTest('no-kernel', 2);
    imageTest('broken-fstab', 3);
  }, 900_000);

  afterAll(async () => {
    await Promise.allSettled(runs.values());
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** What a finished run must not leave: its namespace, a mount or loop device of its home, a process, the home. */
  const nothingLeft = async (stderr: string) => {
    const namespace = /in namespace (\S+)/.exec(stderr)?.[1];
    expect(namespace, stderr).toBeDefined();
    expect((await capture(['ip', 'netns', 'list'])).stdout).not.toContain(namespace);
    const scratch = join(home, 'tmp');
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(scratch);
    expect((await capture(['losetup', '-a'])).stdout).not.toContain(scratch);
    expect((await capture(['pgrep', '-af', `${scratch}/imagetest-${namespace?.split('-')[1]}`])).stdout).toBe('');
    expect(readdirSync(scratch).filter((entry) => entry.startsWith(`imagetest-${namespace?.split('-')[1]}-`))).toEqual([]);
  };

  it('SIGTERM while its VM runs: exit 130, and the VM, daemons, namespace and throwaway home are gone', async () => {
    let stderr = '';
    const handle = startProcess([`${PROJECT}bin/si`, '--home', home, 'image', 'test', 'golden', '--accel', 'tcg'], {
      env: { SI_HOME: undefined },
      onStderr: (chunk) => {
        stderr += chunk;
      },
    });
    try {
      const pid = String(handle.pid);
      // Its QEMU runs (its disk lies in this run's throwaway home), bounded.
      const deadline = Date.now() + 300_000;
      let qemu = '';
      while (qemu === '' && handle.running() && Date.now() < deadline) {
        qemu = (await capture(['pgrep', '-f', `qemu-system-x86_64 .*${join(home, 'tmp')}/imagetest-${pid}-`])).stdout.trim();
        if (qemu === '') await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(qemu, stderr).not.toBe('');
      handle.signal('SIGTERM');
      const exit = await handle.exited;
      expect(exit.exitCode, stderr).toBe(130);
      expect(stderr).toMatch(/^si: si image test was stopped: its VM, daemons and namespace were removed; no image was changed$/m);
      await nothingLeft(stderr);
    } finally {
      await handle.stop({ graceMs: 60_000 });
    }
  }, RUN_BOUND_MS);

  it('passes for the good image under BIOS, with the time of every stage', async () => {
    const { result, report } = await finished('good');
    expect(result.exitCode, `${result.stderr}\n${report.consoleTail}`).toBe(0);
    expect(report).toMatchObject({ result: 'pass', image: 'golden', version: 1, firmware: 'bios', failedStage: null });
    const names = report.stages.map((stage) => stage.name);
    expect(names[0]).toBe('netboot');
    expect(names).toEqual(expect.arrayContaining(['install:partition', 'install:copy', 'install:bootloader']));
    expect(names.slice(-6)).toEqual(['reboot', 'bootloader', 'kernel', 'multi-user', 'hostname', 'sshd']);
    expect(report.stages.every((stage) => stage.ok && stage.seconds >= 0)).toBe(true);
    expect(report.consoleTail).toMatch(/imagetest login:/);
    // The image's own console settings already name ttyS0; the installer's drop-in for si.console= is on the disk too.
    expect(result.stderr).toMatch(/ok +sshd/);
    await nothingLeft(result.stderr);
  }, RUN_BOUND_MS);

  it('fails at the kernel for a version whose kernel was removed, with the console tail', async () => {
    const { result, report } = await finished('no-kernel');
    expect(result.exitCode, result.stderr).toBe(1);
    expect(report.result).toBe('fail');
    expect(report.version).toBe(2);
    expect(report.failedStage, `${report.reason}\n${report.consoleTail}`).toBe('kernel');
    expect(report.consoleTail.split('\n').length).toBeGreaterThan(3);
    expect(result.stderr).toContain('failed its test at stage kernel');
    await nothingLeft(result.stderr);
  }, RUN_BOUND_MS);

  it('fails at multi-user for a version whose fstab was broken, from the console at once (emergency mode)', async () => {
    const { result, report } = await finished('broken-fstab');
    expect(result.exitCode, result.stderr).toBe(1);
    expect(report.failedStage, `${report.reason}\n${report.consoleTail}`).toBe('multi-user');
    expect(report.reason).toMatch(/emergency\.target|emergency mode|maintenance|root account is locked/);
    expect(report.reason).toContain('Failed to mount srv-broken.mount');
    expect(report.consoleTail).toMatch(/Reached target emergency\.target|You are in emergency mode/);
    // Seen on the console as it happened, not by waiting out the 2400 s bound.
    const multiUser = report.stages.find((stage) => stage.name === 'multi-user');
    expect(multiUser?.seconds ?? Infinity).toBeLessThan(600);
    await nothingLeft(result.stderr);
  }, RUN_BOUND_MS);

  it("leaves the user's registry as it was", async () => {
    await Promise.allSettled(runs.values());
    expect(dumpRegistry(home)).toEqual(registryBefore);
    expect(readdirSync(join(home, 'versions/golden')).filter((entry) => /^\d+$/.test(entry)).sort()).toEqual(['1', '2', '3']);
  }, RUN_BOUND_MS);

  it('refuses bad input with one line and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['image', 'test', 'nosuch'], /^si: no image named nosuch/],
      [['image', 'test', 'golden', '--image-version', '9'], /^si: .*version 9/],
      [['image', 'test', 'golden', '--firmware', 'coreboot'], /^si: invalid --firmware "coreboot": give bios or uefi/],
    ];
    for (const [args, message] of cases) {
      const result = await si(home, args);
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
    const layout = join(home, 'small-layout.json');
    const small = { version: 1, disks: [{ select: 'first', table: 'gpt', partitions: [{ size: '1MiB', type: 'bios_grub' }, { size: '64MiB', type: 'linux', filesystem: { type: 'ext4', mount: '/' } }] }] };
    await import('node:fs').then((fs) => fs.writeFileSync(layout, JSON.stringify(small)));
    const tooSmall = await si(home, ['image', 'test', 'golden', '--layout', layout]);
    expect(tooSmall.exitCode, tooSmall.stderr).toBe(2);
    expect(tooSmall.stderr).toMatch(/^si: image golden does not fit the layout: \/ .* \(layout .*small-layout.json\)\n$/);
    // No QEMU on the PATH (only node, which si itself needs).
    const bin = mkdtempSync(join(tmpdir(), 'si-noqemu-'));
    try {
      await capture(['ln', '-s', process.execPath, join(bin, 'node')]);
      const noQemu = await capture([join(process.cwd(), 'bin/si'), '--home', home, 'image', 'test', 'golden'], { env: { PATH: bin, SI_HOME: undefined } });
      expect(noQemu.exitCode, noQemu.stderr).toBe(2);
      expect(noQemu.stderr).toBe('si: qemu-system-x86_64 is not installed: install the Debian package qemu-system-x86\n');
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
    expect(dumpRegistry(home)).toEqual(registryBefore);
  }, 300_000);
});

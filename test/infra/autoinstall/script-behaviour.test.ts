// The generated scripts' own logic, run with sh without disks: the partition arithmetic against the
// server's planner, break points, and the guard against running the master by itself.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { homePaths, type HomePaths } from '../../../src/core/home.js';
import type { DiskLayout } from '../../../src/core/layout/disk-layout.js';
import { renderSfdiskInput } from '../../../src/core/layout/disk-layout-sfdisk.js';
import { MIB, minimumDiskMiB, planPartitions } from '../../../src/core/layout/partition-plan.js';
import { makeAutoinstallScripts } from '../../../src/infra/autoinstall/make-autoinstall-scripts.js';
import { capture } from '../../../src/infra/run.js';
import { createRenderer } from '../../../src/infra/templates.js';
import { materializeRoot } from '../../fixtures/roots/materialize.js';
import { FIXTURE_ROOTS } from '../../fixtures/roots/trees.js';
import { removeDir, tempDir } from '../configure/trees.js';
import { client, EFI_LAYOUT, GPT_LAYOUT, layoutOf, MBR_LAYOUT, RAID_LVM_LAYOUT } from './fixtures.js';

const BIG_MBR = layoutOf({ disks: [{ select: 'first', table: 'msdos', partitions: [{ size: '33%', type: 'swap' }, { size: '1.5GiB' }, { size: 'rest', filesystem: { type: 'ext4', mount: '/' } }] }] });
const LAYOUTS: Record<string, DiskLayout> = { gpt: GPT_LAYOUT, mbr: MBR_LAYOUT, efi: EFI_LAYOUT, raid: RAID_LVM_LAYOUT, bigmbr: BIG_MBR };

describe('the generated scripts run with sh', () => {
  let work: string;
  let paths: HomePaths;
  const master = (name: string) => join(paths.scripts, `${name}.master`);

  beforeAll(async () => {
    work = tempDir('si-ai-sh-');
    paths = homePaths(join(work, 'home'));
    const root = materializeRoot(FIXTURE_ROOTS[0]!, join(work, 'image'));
    for (const [name, layout] of Object.entries(LAYOUTS)) {
      await makeAutoinstallScripts({ paths, image: name, imageTree: root, layout, clients: [client(1, { hostname: `host-${name}`, image: name })], renderer: createRenderer() });
    }
  });
  afterAll(() => removeDir(work));

  /** The sfdisk input the script computes for a disk of `bytes`, or null when it refuses the disk. */
  const scriptTable = async (name: string, disk: number, table: string, bytes: number) => {
    const layoutDisk = LAYOUTS[name]!.disks[disk]!;
    const specs = readFileSync(master(name), 'utf8').match(new RegExp(`SI_SIZES_${disk}=\\$\\(si_plan_disk "\\$SI_DISK_${disk}" (\\S+) (\\d+) ([^)]*)\\)`));
    expect(specs?.[1]).toBe(table);
    expect(Number(specs?.[2])).toBe(minimumDiskMiB(layoutDisk));
    const script = [
      `SI_SOURCE_ONLY=1 . '${master(name)}'`,
      `si_disk_bytes() { printf '%s\\n' ${bytes}; }`,
      `SI_SIZES_${disk}=$(si_plan_disk /dev/sda ${specs?.[1]} ${specs?.[2]} ${specs?.[3]}) || exit 3`,
      `si_sfdisk_input_${disk}`,
    ].join('\n');
    const result = await capture(['sh', '-c', script]);
    return result.exitCode === 0 ? result.stdout : result.exitCode === 3 ? null : `failed: ${result.stderr}`;
  };

  const serverTable = (layout: DiskLayout, disk: number, bytes: number): string | null => {
    const single: DiskLayout = { ...layout, disks: [{ ...layout.disks[disk]!, path: undefined, minSizeGiB: undefined, select: 'first' }], raid: [], lvm: [] };
    try {
      return renderSfdiskInput(planPartitions({ layout: single, disks: [{ path: '/dev/sda', sizeBytes: bytes }] }).disks[0]!);
    } catch (error) {
      if (error instanceof UserError) return null;
      throw error;
    }
  };

  it('sizes partitions exactly as the server planner does, and refuses the same disks', async () => {
    for (const [name, layout] of Object.entries(LAYOUTS)) {
      for (const [d, disk] of layout.disks.entries()) {
        const min = minimumDiskMiB(disk);
        const sizes = [min - 1, min, min + 1, 3 * 1024, 20 * 1024 + 0.5, 3 * 1024 * 1024].map((mib) => Math.round(mib * MIB) + 4095);
        for (const bytes of sizes) {
          const expected = serverTable(layout, d, bytes);
          expect(await scriptTable(name, d, disk.table, bytes), `${name} disks[${d}] ${bytes} bytes`).toBe(expected);
          if (bytes < min * MIB) expect(expected).toBeNull();
          else expect(expected).not.toBeNull();
        }
      }
    }
  });

  it('stops before the phase si.break names, from the kernel command line too', async () => {
    const host = join(paths.scripts, 'host-gpt.sh');
    const cmdline = join(work, 'cmdline');
    mkdirSync(join(work, 'a'), { recursive: true });
    await capture(['sh', '-c', `printf 'quiet si.break=detect si.server=10.0.0.1\\n' > '${cmdline}'`]);
    const result = await capture(['sh', host], { env: { SI_CMDLINE: cmdline, SI_TARGET: join(work, 'a'), SI_LOG: join(work, 'log') } });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`si: installing host-gpt from image gpt (server 10.0.0.1, target ${join(work, 'a')})\nsi: break before phase detect (si.break); mounts stay under ${join(work, 'a')}, the log is ${join(work, 'log')}\n`);
  });

  it('refuses to run the master by itself, and an unknown phase', async () => {
    const alone = await capture(['sh', master('gpt')], { env: { SI_SERVER: '10.0.0.1', SI_CMDLINE: '/nonexistent' } });
    expect(alone.exitCode).toBe(2);
    expect(alone.stderr).toContain('this is the master script of image gpt: run a host\'s script (scripts/HOST.sh) instead');
    const unknown = await capture(['sh', join(paths.scripts, 'host-gpt.sh')], { env: { SI_SERVER: '10.0.0.1', SI_PHASES: 'bogus', SI_LOG: join(work, 'log'), SI_CMDLINE: '/nonexistent' } });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('unknown phase bogus');
  });

  it('si.console= writes a GRUB drop-in on the target (si image test), and ignores a value that is no serial port', async () => {
    const target = join(work, 'console-target');
    mkdirSync(join(target, 'etc/default'), { recursive: true });
    const cmdline = join(work, 'console-cmdline');
    const dropin = join(target, 'etc/default/grub.d/99-si-console.cfg');
    const run = async (value: string) => {
      await capture(['sh', '-c', `printf 'quiet si.console=${value}\\n' > '${cmdline}'`]);
      return capture(['sh', '-c', `SI_SOURCE_ONLY=1 . '${master('gpt')}'; si_console_dropin`], { env: { SI_CMDLINE: cmdline, SI_TARGET: target, SI_LOG: join(work, 'log') } });
    };
    expect((await run('ttyS1,57600n8')).exitCode).toBe(0);
    expect(readFileSync(dropin, 'utf8')).toBe(
      [
        '# Written by the installer for si.console= (si image test): GRUB and the kernel on the serial port.',
        'GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX console=ttyS1,57600n8"',
        'GRUB_TERMINAL=serial',
        'GRUB_SERIAL_COMMAND="serial --unit=1 --speed=57600"',
        '',
      ].join('\n'),
    );
    // update-grub sources it as sh after /etc/default/grub: the console is appended to the image's own arguments.
    const merged = await capture(['sh', '-c', `GRUB_CMDLINE_LINUX="quiet console=tty0"; . '${dropin}'; printf '%s' "$GRUB_CMDLINE_LINUX"`]);
    expect(merged.stdout).toBe('quiet console=tty0 console=ttyS1,57600n8');
    rmSync(dropin);
    for (const bad of ['tty0', 'ttyS0;reboot']) {
      const result = await run(bad);
      expect(result.exitCode).toBe(0);
      expect(existsSync(dropin)).toBe(false);
    }
  });
});

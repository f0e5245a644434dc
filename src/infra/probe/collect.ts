import type { RawProbe } from '../../core/layout/build-captured.js';
import { BOOTLOADER_EVIDENCE } from '../../core/layout/bootloader-evidence.js';
import { FINDMNT_ARGV, type MountTable, type SystemAccess } from './mounts.js';

export const LSBLK_ARGV = ['lsblk', '--json', '--bytes', '--output', 'NAME,PATH,TYPE,SIZE,MODEL,PTTYPE,PTUUID,LOG-SEC'];
const VGS_ARGV = ['vgs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'vg_name,vg_size,pv_name'];
const LVS_ARGV = ['lvs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'vg_name,lv_name,lv_size,lv_path'];

/** Channels open at once: below OpenSSH's default MaxSessions of 10. */
const PARALLEL = 6;

/** Runs the read-only commands behind a captured layout; a tool that is missing leaves its part empty. */
export async function collectProbe(system: SystemAccess, known: Partial<MountTable> = {}): Promise<RawProbe> {
  const now = new Date();
  const limit = limiter(PARALLEL);
  const exec = (argv: readonly string[]) => limit(() => system.exec(argv));
  const read = (path: string) => limit(() => system.readFile(path));
  const output = async (argv: readonly string[]) => {
    const result = await exec(argv);
    return result.exitCode === 0 ? result.stdout : null;
  };
  const lines = (text: string | null) => (text ?? '').split('\n').filter(Boolean);
  // Independent reads go out together: over ssh each one is a round trip.
  const [lsblk, findmnt, vgs, lvs, evidence, boot, ssh, hostname, fstab, swaps, mdstat, machineId] = await Promise.all([
    output(LSBLK_ARGV),
    known.findmnt !== undefined ? known.findmnt : output(FINDMNT_ARGV),
    output(VGS_ARGV),
    output(LVS_ARGV),
    // `ls -d` prints the paths that exist and complains about the rest, in one round trip.
    exec(['ls', '-d', '--', ...BOOTLOADER_EVIDENCE]),
    output(['ls', '-1', '--', '/boot']),
    output(['ls', '-1', '--', '/etc/ssh']),
    read('/etc/hostname'),
    read('/etc/fstab'),
    known.swaps !== undefined ? known.swaps : read('/proc/swaps'),
    read('/proc/mdstat'),
    read('/etc/machine-id'),
  ]);
  const disks = disksWithTables(lsblk);
  const keyFiles = lines(ssh).filter((f) => /^ssh_host_.*_key\.pub$/.test(f)).sort();
  const [tables, hostKeys] = await Promise.all([
    Promise.all(disks.map((disk) => output(['sfdisk', '--json', disk]))),
    Promise.all(keyFiles.map((file) => read(`/etc/ssh/${file}`))),
  ]);
  const sfdisk: Record<string, string> = {};
  disks.forEach((disk, index) => {
    const text = tables[index];
    if (text) sfdisk[disk] = text;
  });
  return {
    capturedAt: now.toISOString(),
    hostname: hostname ?? (await output(['hostname'])) ?? '',
    lsblk,
    sfdisk,
    findmnt,
    fstab,
    swaps,
    mdstat,
    vgs,
    lvs,
    existing: lines(evidence.stdout),
    bootFiles: lines(boot),
    machineId,
    hostKeys: hostKeys.filter((k): k is string => Boolean(k)),
  };
}

/** At most `size` tasks at once; the rest wait their turn. */
function limiter(size: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

function disksWithTables(lsblk: string | null): string[] {
  if (!lsblk) return [];
  try {
    const parsed = JSON.parse(lsblk) as { blockdevices?: { type?: string; path?: string; pttype?: string | null }[] };
    return (parsed.blockdevices ?? []).filter((d) => d.type === 'disk' && d.pttype && d.path).map((d) => d.path as string);
  } catch {
    return [];
  }
}

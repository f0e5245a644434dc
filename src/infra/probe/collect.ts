import { BOOTLOADER_EVIDENCE, type RawProbe } from '../../core/layout/build-captured.js';

/** What the probe needs from a system: the golden client over ssh, or the local machine. */
export interface SystemAccess {
  exec(argv: readonly string[]): Promise<{ stdout: string; exitCode: number | null }>;
  readFile(path: string): Promise<string | null>;
}

export const LSBLK_ARGV = ['lsblk', '--json', '--bytes', '--output', 'NAME,PATH,TYPE,SIZE,MODEL,PTTYPE,PTUUID,LOG-SEC'];
export const FINDMNT_ARGV = ['findmnt', '--json', '--list', '--output', 'TARGET,SOURCE,FSTYPE,OPTIONS,UUID,LABEL'];
const VGS_ARGV = ['vgs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'vg_name,vg_size,pv_name'];
const LVS_ARGV = ['lvs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'vg_name,lv_name,lv_size,lv_path'];

/** Runs the read-only commands behind a captured layout; a tool that is missing leaves its part empty. */
export async function collectProbe(system: SystemAccess, now: Date = new Date()): Promise<RawProbe> {
  const output = async (argv: readonly string[]) => {
    const result = await system.exec(argv);
    return result.exitCode === 0 ? result.stdout : null;
  };
  const lsblk = await output(LSBLK_ARGV);
  const sfdisk: Record<string, string> = {};
  for (const disk of disksWithTables(lsblk)) {
    const text = await output(['sfdisk', '--json', disk]);
    if (text) sfdisk[disk] = text;
  }
  // `ls -d` prints the paths that exist and complains about the rest, in one round trip.
  const existing = (await system.exec(['ls', '-d', '--', ...BOOTLOADER_EVIDENCE])).stdout.split('\n').filter(Boolean);
  const bootFiles = ((await output(['ls', '-1', '--', '/boot'])) ?? '').split('\n').filter(Boolean);
  const sshFiles = ((await output(['ls', '-1', '--', '/etc/ssh'])) ?? '').split('\n').filter((f) => /^ssh_host_.*_key\.pub$/.test(f));
  const hostKeys: string[] = [];
  for (const file of sshFiles.sort()) {
    const text = await system.readFile(`/etc/ssh/${file}`);
    if (text) hostKeys.push(text);
  }
  return {
    capturedAt: now.toISOString(),
    hostname: (await system.readFile('/etc/hostname')) ?? (await output(['hostname'])) ?? '',
    lsblk,
    sfdisk,
    findmnt: await output(FINDMNT_ARGV),
    fstab: await system.readFile('/etc/fstab'),
    swaps: await system.readFile('/proc/swaps'),
    mdstat: await system.readFile('/proc/mdstat'),
    vgs: await output(VGS_ARGV),
    lvs: await output(LVS_ARGV),
    existing,
    bootFiles,
    machineId: await system.readFile('/etc/machine-id'),
    hostKeys,
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

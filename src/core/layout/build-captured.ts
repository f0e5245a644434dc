import { capturedLayoutSchema, type CapturedLayout, type CapturedDisk, type FstabEntry } from './captured.js';
import { detectBootloader, BOOTLOADER_EVIDENCE } from './bootloader-evidence.js';
import { buildFilesystems, parseSwaps } from './mount-facts.js';
import { parseJson, toInt, unescapeOctal } from './probe-text.js';

/** What `si prepareclient` reads on the golden client, as text, before any parsing. */
export interface RawProbe {
  capturedAt: string;
  hostname: string;
  /** `lsblk --json --bytes --output-all`-style output (see PROBE_COMMANDS). */
  lsblk: string | null;
  /** disk path -> `sfdisk --json DISK` output. */
  sfdisk: Record<string, string>;
  /** `findmnt --json --list -o TARGET,SOURCE,FSTYPE,OPTIONS,UUID,LABEL`. */
  findmnt: string | null;
  fstab: string | null;
  swaps: string | null;
  mdstat: string | null;
  /** `vgs --reportformat json ...` and `lvs --reportformat json ...`, when LVM is installed. */
  vgs: string | null;
  lvs: string | null;
  /** Which of BOOTLOADER_EVIDENCE exist on the client. */
  existing: string[];
  /** File names in /boot. */
  bootFiles: string[];
  machineId: string | null;
  /** Contents of /etc/ssh/ssh_host_*_key.pub. */
  hostKeys: string[];
}

export { BOOTLOADER_EVIDENCE };

interface LsblkDevice {
  name?: string;
  path?: string;
  type?: string;
  size?: number | string | null;
  model?: string | null;
  pttype?: string | null;
  ptuuid?: string | null;
  'log-sec'?: number | string | null;
  children?: LsblkDevice[];
}

export function buildCapturedLayout(raw: RawProbe): CapturedLayout {
  const warnings: string[] = [];
  const devices = parseJson<{ blockdevices?: LsblkDevice[] }>(raw.lsblk, 'lsblk', warnings)?.blockdevices ?? [];
  const disks = devices.filter((d) => d.type === 'disk').map((d) => buildDisk(d, raw.sfdisk[d.path ?? ''], warnings));
  const filesystems = buildFilesystems(raw.findmnt, warnings);
  const bootloader = detectBootloader(raw.existing);
  if (bootloader.kind === 'none') warnings.push('no bootloader found (grub-pc, grub-efi, systemd-boot, extlinux): installed hosts will need one');
  const layout: CapturedLayout = {
    schemaVersion: 1,
    capturedAt: raw.capturedAt,
    hostname: raw.hostname.trim(),
    disks,
    raid: parseMdstat(raw.mdstat),
    lvm: parseLvm(raw.vgs, raw.lvs, warnings),
    filesystems,
    fstab: parseFstab(raw.fstab ?? ''),
    swap: parseSwaps(raw.swaps ?? ''),
    bootloader,
    boot: { kernels: findKernels(raw.bootFiles) },
    identity: {
      machineId: raw.machineId?.trim() || null,
      sshHostKeys: raw.hostKeys.map(parseHostKey).filter((k): k is { type: string; publicKey: string } => k !== null),
    },
    warnings,
  };
  return capturedLayoutSchema.parse(layout);
}

interface SfdiskJson {
  partitiontable?: {
    label?: string;
    id?: string;
    sectorsize?: number;
    partitions?: { node: string; start: number; size: number; type: string; uuid?: string; name?: string; attrs?: string; bootable?: boolean }[];
  };
}

function buildDisk(device: LsblkDevice, sfdiskText: string | undefined, warnings: string[]): CapturedDisk {
  const table = parseJson<SfdiskJson>(sfdiskText ?? null, `sfdisk ${device.path}`, warnings)?.partitiontable;
  const label = table?.label ?? device.pttype ?? null;
  const sectorSize = table?.sectorsize ?? toInt(device['log-sec'], 512);
  const partitions = (table?.partitions ?? []).map((p) => ({
    path: p.node,
    number: toInt(/(\d+)$/.exec(p.node)?.[1], 0),
    startSector: p.start,
    sizeSectors: p.size,
    type: p.type.toUpperCase(),
    uuid: p.uuid ?? null,
    name: p.name ?? null,
    flags: [...(p.bootable ? ['boot'] : []), ...(p.attrs ? p.attrs.split(/\s+/).filter(Boolean) : [])],
  }));
  return {
    name: device.name ?? '',
    path: device.path ?? `/dev/${device.name ?? ''}`,
    sizeBytes: toInt(device.size),
    model: device.model?.trim() || null,
    table: label === 'gpt' ? 'gpt' : label === 'dos' ? 'dos' : null,
    tableId: table?.id ?? device.ptuuid ?? null,
    sectorSize,
    partitions,
  };
}

export function parseFstab(text: string): FstabEntry[] {
  const entries: FstabEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.replace(/#.*/, '').trim().split(/\s+/);
    if (fields.length < 3 || fields[0] === '') continue;
    const [spec = '', file = '', vfstype = '', options = 'defaults', freq = '0', passno = '0'] = fields;
    entries.push({ spec: unescapeOctal(spec), file: unescapeOctal(file), vfstype, options, freq: toInt(freq), passno: toInt(passno) });
  }
  return entries;
}

function parseMdstat(text: string | null): CapturedLayout['raid'] {
  if (!text) return [];
  const arrays: CapturedLayout['raid'] = [];
  for (const line of text.split('\n')) {
    const match = /^(md\S+)\s*:\s*active\s+(?:\(\S+\)\s+)?(raid\d+|linear)\s+(.*)$/.exec(line);
    if (!match) continue;
    const members = (match[3] ?? '').split(/\s+/).map((m) => `/dev/${m.replace(/\[\d+\].*$/, '')}`);
    arrays.push({ device: `/dev/${match[1]}`, level: match[2] ?? '', members });
  }
  return arrays;
}

function parseLvm(vgsText: string | null, lvsText: string | null, warnings: string[]): CapturedLayout['lvm'] {
  type Report<T> = { report?: { vg?: T[]; lv?: T[] }[] };
  const vgRows = parseJson<Report<Record<string, string>>>(vgsText, 'vgs', warnings)?.report?.[0]?.vg ?? [];
  const lvRows = parseJson<Report<Record<string, string>>>(lvsText, 'lvs', warnings)?.report?.[0]?.lv ?? [];
  const groups = new Map<string, { name: string; sizeBytes: number; pvs: string[] }>();
  for (const row of vgRows) {
    const name = row.vg_name ?? '';
    const group = groups.get(name) ?? { name, sizeBytes: toInt(row.vg_size?.replace(/B$/, '')), pvs: [] };
    if (row.pv_name) group.pvs.push(row.pv_name);
    groups.set(name, group);
  }
  return {
    volumeGroups: [...groups.values()],
    logicalVolumes: lvRows.map((row) => ({
      vg: row.vg_name ?? '',
      name: row.lv_name ?? '',
      sizeBytes: toInt(row.lv_size?.replace(/B$/, '')),
      path: row.lv_path ?? '',
    })),
  };
}

function findKernels(bootFiles: string[]): CapturedLayout['boot']['kernels'] {
  const files = new Set(bootFiles);
  return bootFiles
    .filter((f) => f.startsWith('vmlinuz-'))
    .sort()
    .map((kernel) => {
      const version = kernel.slice('vmlinuz-'.length);
      const initrd = [`initrd.img-${version}`, `initramfs-${version}.img`, `initrd-${version}`].find((f) => files.has(f));
      return { version, kernel: `/boot/${kernel}`, initrd: initrd ? `/boot/${initrd}` : null };
    });
}

function parseHostKey(text: string): { type: string; publicKey: string } | null {
  const [type, key] = text.trim().split(/\s+/);
  return type && key ? { type, publicKey: `${type} ${key}` } : null;
}

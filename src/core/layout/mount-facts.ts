// The mounts and swap areas of a golden client: what decides a capture's excludes. Apart from the rest of
// the layout so that a capture can work them out before the layout schema (zod) is loaded.
import type { CapturedLayout } from './captured.js';
import { parseJson, toInt, unescapeOctal } from './probe-text.js';

/** Block-device filesystems a capture copies; everything else mounted is pseudo, remote or virtual. */
export const LOCAL_FSTYPES = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'vfat', 'msdos', 'f2fs', 'jfs', 'reiserfs', 'zfs', 'exfat', 'ntfs', 'ntfs3']);

interface FindmntJson {
  filesystems?: { target: string; source: string; fstype: string; options: string; uuid?: string | null; label?: string | null }[];
}

/** The mounts and swap areas alone: what a capture needs before it starts copying (its excludes). */
export function buildMountFacts(findmnt: string | null, swaps: string | null): Pick<CapturedLayout, 'filesystems' | 'swap'> {
  return { filesystems: buildFilesystems(findmnt, []), swap: parseSwaps(swaps ?? '') };
}

export function buildFilesystems(text: string | null, warnings: string[]): CapturedLayout['filesystems'] {
  const list = parseJson<FindmntJson>(text, 'findmnt', warnings)?.filesystems ?? [];
  const filesystems = list.map((fs) => ({
    source: fs.source,
    fstype: fs.fstype,
    uuid: fs.uuid ?? null,
    label: fs.label ?? null,
    mountpoint: fs.target,
    options: fs.options,
    local: LOCAL_FSTYPES.has(fs.fstype),
  }));
  const root = filesystems.find((fs) => fs.mountpoint === '/');
  if (!root) warnings.push('findmnt shows no / mount: the capture copies / as one filesystem');
  else if (!root.local) {
    warnings.push(`/ is ${root.fstype}, not a block-device filesystem: it is captured all the same`);
    root.local = true;
  }
  return filesystems;
}

export function parseSwaps(text: string): CapturedLayout['swap'] {
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 3 && f[0])
    .map(([path = '', kind = '', sizeKiB = '0']) => ({
      path: unescapeOctal(path),
      kind: kind === 'file' ? ('file' as const) : ('partition' as const),
      sizeBytes: toInt(sizeKiB) * 1024,
    }));
}

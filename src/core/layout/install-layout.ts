import { UserError } from '../errors.js';
import type { CapturedLayout } from './captured.js';
import { defaultDiskLayout } from './default-from-capture.js';
import { parseDiskLayout, validateDiskLayout, type DiskLayout } from './disk-layout.js';

export type LayoutSource = 'set' | 'captured' | 'standard';

export interface InstallLayout {
  layout: DiskLayout;
  source: LayoutSource;
  /** Why the standard layout was used instead of the captured one. */
  note: string | null;
}

/**
 * One disk, GPT: a BIOS boot partition for grub-pc, an EFI system partition (harmless under BIOS), swap,
 * and the root filesystem on the rest. Used when an image carries no disk layout that can be cloned.
 */
export function standardLayout(): DiskLayout {
  const { layout, problems } = validateDiskLayout({
    version: 1,
    disks: [
      {
        select: 'first',
        table: 'gpt',
        partitions: [
          { size: '1MiB', type: 'bios_grub' },
          { size: '512MiB', type: 'esp', filesystem: { type: 'vfat', mount: '/boot/efi', mountOptions: ['umask=0077'] } },
          { size: '1GiB', type: 'swap', filesystem: { type: 'swap' } },
          { size: 'rest', type: 'linux', filesystem: { type: 'ext4', mount: '/' } },
        ],
      },
    ],
  });
  if (!layout) throw new Error(`the standard layout does not validate: ${JSON.stringify(problems)}`);
  return layout;
}

/** An image's install layout: the one set with `si layout set`, else the captured one, else the standard one. */
export function resolveInstallLayout(options: { image: string; storedText: string | null; captured: CapturedLayout | null }): InstallLayout {
  const { image, storedText, captured } = options;
  if (storedText !== null) return { layout: parseDiskLayout(storedText, { source: `layout of ${image}` }), source: 'set', note: null };
  if (!captured) return { layout: standardLayout(), source: 'standard', note: `${image} has no captured layout` };
  try {
    return { layout: defaultDiskLayout(captured), source: 'captured', note: null };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { layout: standardLayout(), source: 'standard', note: `the captured layout of ${image} cannot be cloned (${error.message})` };
  }
}

// A small disk that UEFI firmware can boot: a GPT with an ESP holding only the removable-media loader, a
// standalone GRUB that prints a marker on the console and waits. A VM that reaches the marker has fallen
// through from its network boot to its disk, which is what "boot from the local disk" must do under UEFI.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/infra/run.js';

export const EFI_DISK_MARKER = 'SI-TEST-DISK-LOADER-REACHED';

/** Writes a 64 MiB raw disk at `file` (replacing it) whose ESP boots a loader that prints EFI_DISK_MARKER. */
export async function makeEfiMarkerDisk(file: string): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'si-efi-disk-'));
  try {
    const config = join(work, 'grub.cfg');
    const loader = join(work, 'BOOTX64.EFI');
    await writeFile(config, `echo ${EFI_DISK_MARKER}\nsleep 3600\n`);
    await run(['grub-mkstandalone', '-O', 'x86_64-efi', '-o', loader, '--install-modules=echo sleep normal', '--modules=echo sleep',
      '--locales=', '--fonts=', '--themes=', `boot/grub/grub.cfg=${config}`]);
    await rm(file, { force: true });
    await run(['truncate', '-s', '64M', file]);
    await run(['sgdisk', '--new=1:2048:+40M', '--typecode=1:ef00', file]);
    // mtools reach the partition at its byte offset (sector 2048): no loop device, no mount.
    const esp = `${file}@@1M`;
    await run(['mformat', '-i', esp, '-F', '-v', 'ESP', '::']);
    await run(['mmd', '-i', esp, '::/EFI', '::/EFI/BOOT']);
    await run(['mcopy', '-i', esp, loader, '::/EFI/BOOT/BOOTX64.EFI']);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

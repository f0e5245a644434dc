import type { CapturedLayout } from './captured.js';

/** Paths whose presence on the golden client tells which bootloader it uses (a footprint, not a distro table). */
export const BOOTLOADER_EVIDENCE = [
  '/boot/efi/EFI',
  '/boot/loader/loader.conf',
  '/efi/loader/loader.conf',
  '/boot/efi/loader/loader.conf',
  '/usr/lib/grub/x86_64-efi',
  '/usr/lib/grub/i386-pc',
  '/boot/grub/grub.cfg',
  '/boot/grub2/grub.cfg',
  '/boot/grub/i386-pc',
  '/boot/grub2/i386-pc',
  '/boot/extlinux/extlinux.conf',
  '/boot/syslinux/syslinux.cfg',
  '/sys/firmware/efi',
] as const;

export function detectBootloader(existing: readonly string[]): CapturedLayout['bootloader'] {
  const has = (path: string) => existing.includes(path);
  const evidence = (paths: string[]) => paths.filter(has);
  const sdBoot = evidence(['/boot/loader/loader.conf', '/efi/loader/loader.conf', '/boot/efi/loader/loader.conf']);
  if (sdBoot.length > 0) return { kind: 'systemd-boot', evidence: sdBoot };
  const extlinux = evidence(['/boot/extlinux/extlinux.conf', '/boot/syslinux/syslinux.cfg']);
  if (extlinux.length > 0) return { kind: 'extlinux', evidence: extlinux };
  const grubEfi = evidence(['/boot/grub/x86_64-efi', '/usr/lib/grub/x86_64-efi', '/boot/efi/EFI']);
  const grubCfg = evidence(['/boot/grub/grub.cfg', '/boot/grub2/grub.cfg']);
  if (has('/boot/efi/EFI') && (grubCfg.length > 0 || has('/usr/lib/grub/x86_64-efi'))) return { kind: 'grub-efi', evidence: [...grubEfi, ...grubCfg] };
  const grubPc = evidence(['/boot/grub/i386-pc', '/boot/grub2/i386-pc', '/usr/lib/grub/i386-pc']);
  if (grubPc.length > 0 || grubCfg.length > 0) return { kind: 'grub-pc', evidence: [...grubPc, ...grubCfg] };
  return { kind: 'none', evidence: [] };
}

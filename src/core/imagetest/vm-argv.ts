// The QEMU command line of an image-test VM (TESTING.md's proven flags; the same as test/world/qemu.ts's qemuArgv).

export type Firmware = 'bios' | 'uefi';
export type Accel = 'kvm' | 'tcg';

export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

export interface VmArgvInput {
  accel: Accel;
  firmware: Firmware;
  /** The tap device QEMU's NIC uses (made beforehand, enslaved to the bridge). */
  tap: string;
  mac: string;
  serialLog: string;
  /** Raw disk files, in order (the guest's vda, vdb, ...). */
  disks: readonly string[];
  /** UEFI: the VM's own writable copy of OVMF_VARS. */
  vars?: string;
  memoryMiB?: number;
  cpus?: number;
}

/**
 * Network first, then the disks: after the install the firmware netboots again, the boot server answers
 * "boot from the local disk", and the disk's loader runs (docs/netboot.md: machines stay network-first).
 */
export function vmArgv(input: VmArgvInput): string[] {
  const { firmware, tap, serialLog, disks, mac } = input;
  for (const path of [serialLog, ...disks, input.vars ?? '']) {
    // QEMU splits its option values at commas.
    if (path.includes(',')) throw new Error(`vmArgv: QEMU cannot take a path with a comma: ${path}`);
  }
  const argv = [
    'qemu-system-x86_64', '-accel', input.accel, '-cpu', input.accel === 'kvm' ? 'host' : 'max',
    '-smp', String(input.cpus ?? 2), '-m', String(input.memoryMiB ?? 1024),
    '-nographic', '-nodefaults', '-no-user-config', '-serial', `file:${serialLog}`,
    '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`,
  ];
  if (firmware === 'uefi') {
    if (!input.vars) throw new Error('vmArgv: UEFI needs a copy of OVMF_VARS');
    argv.push('-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`, '-drive', `if=pflash,format=raw,file=${input.vars}`);
    // The private network is IPv4 only: OVMF's PXEv6 and HTTPv6 boot options would each wait about a minute.
    argv.push('-fw_cfg', 'name=opt/org.tianocore/IPv6Support,string=no');
  }
  // BIOS keeps QEMU's virtio NIC ROM (SeaBIOS has no PXE of its own); UEFI none, or OVMF would run the ROM's
  // own iPXE and never its firmware PXE.
  const rom = firmware === 'uefi' ? ',romfile=' : '';
  argv.push('-device', `virtio-net-pci,netdev=n0,mac=${mac}${rom},bootindex=1`);
  disks.forEach((path, index) => {
    argv.push('-drive', `if=none,id=d${index},format=raw,file=${path}`);
    argv.push('-device', `virtio-blk-pci,drive=d${index},bootindex=${index + 2}`);
  });
  return argv;
}

// The QEMU command line of a VM on a private network: TESTING.md's proven flags, per firmware and boot device.
// `si image test` and the VM tests' harness (test/world/qemu.ts) both build theirs here.

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
  /** First boot device (default network): the NIC's PXE (BIOS: the NIC ROM's iPXE; UEFI: OVMF's own), or the first disk. */
  bootFrom?: 'network' | 'disk';
  /** UEFI only: skip OVMF's PXEv4 so that it goes straight to HTTP boot. */
  httpBoot?: boolean;
  /** QEMU loads this kernel itself: no firmware boot device, no boot order. */
  direct?: { kernel: string; initrd?: string; append?: string };
}

/**
 * By default network first, then the disks: after the install the firmware netboots again, the boot server
 * answers "boot from the local disk", and the disk's loader runs (docs/netboot.md: machines stay network-first).
 * A network boot that exits falls through to the disks in order.
 */
export function vmArgv(input: VmArgvInput): string[] {
  const { firmware, tap, serialLog, disks, mac, direct } = input;
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
    if (input.httpBoot) argv.push('-fw_cfg', 'name=opt/org.tianocore/IPv4PXESupport,string=no');
  }
  const nicFirst = (input.bootFrom ?? 'network') === 'network';
  const bootIndex = (index: number) => (direct ? '' : `,bootindex=${index}`);
  // BIOS keeps QEMU's virtio NIC ROM (SeaBIOS has no PXE of its own); UEFI none, or OVMF would run the ROM's
  // own iPXE and never its firmware PXE.
  const rom = firmware === 'uefi' ? ',romfile=' : '';
  argv.push('-device', `virtio-net-pci,netdev=n0,mac=${mac}${rom}${bootIndex(nicFirst ? 1 : disks.length + 1)}`);
  disks.forEach((path, index) => {
    argv.push('-drive', `if=none,id=d${index},format=raw,file=${path}`);
    argv.push('-device', `virtio-blk-pci,drive=d${index}${bootIndex(nicFirst ? index + 2 : index + 1)}`);
  });
  if (direct) {
    argv.push('-kernel', direct.kernel);
    if (direct.initrd) argv.push('-initrd', direct.initrd);
    argv.push('-append', direct.append ?? 'console=ttyS0');
  }
  return argv;
}

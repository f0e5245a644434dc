import { describe, expect, it } from 'vitest';
import { vmArgv } from '../../../src/core/imagetest/vm-argv.js';

const base = { tap: 'tapimagetest', mac: '52:54:00:5e:17:01', serialLog: '/h/tmp/vm/serial.log', disks: ['/h/tmp/vm/disk0.raw'] };

describe('image test VM argv', () => {
  it('BIOS under TCG: the NIC first with its iPXE ROM, then the disk, the serial console to a file', () => {
    expect(vmArgv({ ...base, accel: 'tcg', firmware: 'bios' })).toEqual([
      'qemu-system-x86_64', '-accel', 'tcg', '-cpu', 'max', '-smp', '2', '-m', '1024',
      '-nographic', '-nodefaults', '-no-user-config', '-serial', 'file:/h/tmp/vm/serial.log',
      '-netdev', 'tap,id=n0,ifname=tapimagetest,script=no,downscript=no',
      '-device', 'virtio-net-pci,netdev=n0,mac=52:54:00:5e:17:01,bootindex=1',
      '-drive', 'if=none,id=d0,format=raw,file=/h/tmp/vm/disk0.raw',
      '-device', 'virtio-blk-pci,drive=d0,bootindex=2',
    ]);
  });

  it('UEFI under KVM: OVMF with its own variables, no IPv6 boot, no NIC ROM (the firmware PXE boots)', () => {
    const argv = vmArgv({ ...base, disks: ['/d0', '/d1'], accel: 'kvm', firmware: 'uefi', vars: '/h/vm/OVMF_VARS_4M.fd', memoryMiB: 2048 });
    expect(argv.slice(0, 6)).toEqual(['qemu-system-x86_64', '-accel', 'kvm', '-cpu', 'host', '-smp']);
    expect(argv).toContain('2048');
    expect(argv.join(' ')).toContain('-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd -drive if=pflash,format=raw,file=/h/vm/OVMF_VARS_4M.fd');
    expect(argv.join(' ')).toContain('-fw_cfg name=opt/org.tianocore/IPv6Support,string=no');
    expect(argv).toContain('virtio-net-pci,netdev=n0,mac=52:54:00:5e:17:01,romfile=,bootindex=1');
    expect(argv).toContain('virtio-blk-pci,drive=d1,bootindex=3');
  });

  it('refuses a path QEMU would split at its comma, and UEFI without variables', () => {
    expect(() => vmArgv({ ...base, serialLog: '/a,b/serial.log', accel: 'tcg', firmware: 'bios' })).toThrow(/comma/);
    expect(() => vmArgv({ ...base, accel: 'tcg', firmware: 'uefi' })).toThrow(/OVMF_VARS/);
  });
});

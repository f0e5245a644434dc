import { describe, expect, it } from 'vitest';
import { vmArgv } from '../../../src/core/imagetest/vm-argv.js';

const option = (argv: string[], flag: string) => argv.flatMap((arg, index) => (argv[index - 1] === flag ? [arg] : []));
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
    const two = vmArgv({ ...base, disks: ['/w/a.raw', '/w/b.raw'], accel: 'tcg', firmware: 'bios' });
    expect(option(two, '-device')).toEqual([
      'virtio-net-pci,netdev=n0,mac=52:54:00:5e:17:01,bootindex=1', 'virtio-blk-pci,drive=d0,bootindex=2', 'virtio-blk-pci,drive=d1,bootindex=3',
    ]);
    expect(two.join(' ')).not.toContain('pflash');
  });

  it('UEFI under KVM: OVMF with its own variables, no IPv6 boot, no NIC ROM (the firmware PXE boots)', () => {
    const argv = vmArgv({ ...base, disks: ['/d0', '/d1'], accel: 'kvm', firmware: 'uefi', vars: '/h/vm/OVMF_VARS_4M.fd', memoryMiB: 2048 });
    expect(argv.slice(0, 6)).toEqual(['qemu-system-x86_64', '-accel', 'kvm', '-cpu', 'host', '-smp']);
    expect(argv).toContain('2048');
    expect(argv.join(' ')).toContain('-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd -drive if=pflash,format=raw,file=/h/vm/OVMF_VARS_4M.fd');
    expect(argv.join(' ')).toContain('-fw_cfg name=opt/org.tianocore/IPv6Support,string=no');
    expect(argv).toContain('virtio-net-pci,netdev=n0,mac=52:54:00:5e:17:01,romfile=,bootindex=1');
    expect(argv).toContain('virtio-blk-pci,drive=d1,bootindex=3');
    // Without HTTP boot, OVMF keeps its PXEv4: only IPv6 is switched off.
    expect(option(argv, '-fw_cfg')).toEqual(['name=opt/org.tianocore/IPv6Support,string=no']);
  });

  it('disk first: the disks in order, then the NIC; UEFI HTTP boot skips PXEv4', () => {
    const argv = vmArgv({ ...base, accel: 'tcg', firmware: 'uefi', vars: '/w/vars.fd', bootFrom: 'disk', httpBoot: true });
    expect(option(argv, '-device')).toEqual(['virtio-net-pci,netdev=n0,mac=52:54:00:5e:17:01,romfile=,bootindex=2', 'virtio-blk-pci,drive=d0,bootindex=1']);
    expect(option(argv, '-fw_cfg')).toEqual(['name=opt/org.tianocore/IPv6Support,string=no', 'name=opt/org.tianocore/IPv4PXESupport,string=no']);
  });

  it('direct boot: kernel, initrd and command line, no boot order', () => {
    const argv = vmArgv({ ...base, accel: 'tcg', firmware: 'bios', direct: { kernel: '/k', initrd: '/i', append: 'console=ttyS0 si.host=n1' } });
    expect([option(argv, '-kernel'), option(argv, '-initrd'), option(argv, '-append')]).toEqual([['/k'], ['/i'], ['console=ttyS0 si.host=n1']]);
    expect(argv.join(' ')).not.toContain('bootindex');
  });

  it('refuses a path QEMU would split at its comma, and UEFI without variables', () => {
    expect(() => vmArgv({ ...base, serialLog: '/a,b/serial.log', accel: 'tcg', firmware: 'bios' })).toThrow(/comma/);
    expect(() => vmArgv({ ...base, accel: 'tcg', firmware: 'uefi' })).toThrow(/OVMF_VARS/);
  });
});

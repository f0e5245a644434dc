// The QEMU command line startVm builds: the flags TESTING.md found to work, per firmware and boot device.
import { describe, expect, it } from 'vitest';
import { qemuArgv, tailOf } from './qemu.js';

const base = { ns: undefined as never, name: 'x', mac: '52:54:00:00:00:09', tap: 'tapx', serialLog: '/w/serial.log', vars: undefined };
const option = (argv: string[], flag: string) => argv.flatMap((arg, index) => (argv[index - 1] === flag ? [arg] : []));

describe('qemuArgv', () => {
  it('BIOS network boot: TCG, the NIC (default ROM) first, then the disks in order', () => {
    const argv = qemuArgv({ ...base, firmware: 'bios', disks: ['/w/a.raw', '/w/b.raw'], bootFrom: 'network' });
    expect(argv.slice(0, 3)).toEqual(['qemu-system-x86_64', '-accel', 'tcg']);
    expect(option(argv, '-serial')).toEqual(['file:/w/serial.log']);
    expect(option(argv, '-device')).toEqual([
      'virtio-net-pci,netdev=n0,mac=52:54:00:00:00:09,bootindex=1',
      'virtio-blk-pci,drive=d0,bootindex=2',
      'virtio-blk-pci,drive=d1,bootindex=3',
    ]);
    expect(argv).not.toContain('if=pflash');
  });

  it('UEFI: OVMF code read-only, its own VARS copy, the NIC without ROM; no IPv6 network boot, and HTTP boot skips PXEv4', () => {
    const argv = qemuArgv({ ...base, firmware: 'uefi', disks: ['/w/a.raw'], bootFrom: 'disk', vars: '/w/vars.fd', httpBoot: true });
    expect(option(argv, '-drive')).toEqual([
      'if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd',
      'if=pflash,format=raw,file=/w/vars.fd',
      'if=none,id=d0,format=raw,file=/w/a.raw',
    ]);
    expect(option(argv, '-device')).toEqual(['virtio-net-pci,netdev=n0,mac=52:54:00:00:00:09,romfile=,bootindex=2', 'virtio-blk-pci,drive=d0,bootindex=1']);
    expect(option(argv, '-fw_cfg')).toEqual(['name=opt/org.tianocore/IPv6Support,string=no', 'name=opt/org.tianocore/IPv4PXESupport,string=no']);
    const pxe = qemuArgv({ ...base, firmware: 'uefi', disks: [], vars: '/w/vars.fd' });
    expect(option(pxe, '-fw_cfg')).toEqual(['name=opt/org.tianocore/IPv6Support,string=no']);
  });

  it('direct boot: kernel, initrd and command line, no boot order', () => {
    const argv = qemuArgv({ ...base, firmware: 'bios', disks: ['/w/a.raw'], kernel: '/k', initrd: '/i', append: 'console=ttyS0 si.host=n1' });
    expect([option(argv, '-kernel'), option(argv, '-initrd'), option(argv, '-append')]).toEqual([['/k'], ['/i'], ['console=ttyS0 si.host=n1']]);
    expect(argv.join(' ')).not.toContain('bootindex');
  });
});

describe('tailOf', () => {
  it('keeps the last lines without carriage returns and ANSI escapes', () => {
    expect(tailOf('a\r\nb\x1b[2J\x1b[1;1Hc\r\nd\n', 2)).toBe('d\n');
    expect(tailOf('one\ntwo\nthree', 2)).toBe('two\nthree');
  });
});

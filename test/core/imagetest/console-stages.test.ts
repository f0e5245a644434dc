// Stage detection on consoles recorded from si image test runs (test/fixtures/imagetest: the serial log of a
// BIOS VM from the installer's report phase on, as QEMU wrote it, escapes and all).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bootProgress, cleanConsole, consoleTail, installerState } from '../../../src/core/imagetest/console-stages.js';

const recorded = (name: string) => readFileSync(new URL(`../../fixtures/imagetest/${name}.console.txt`, import.meta.url), 'latin1');
const stages = (text: string) => bootProgress(text, { since: 0, hostname: 'imagetest' });

describe('boot stages from the console', () => {
  it('kernel removed: the firmware and GRUB ran, GRUB dropped to its shell: kernel fails', () => {
    const progress = stages(recorded('no-kernel'));
    expect(progress.reached.map((mark) => mark.stage)).toEqual(['reboot', 'bootloader']);
    expect(progress.failed).toEqual({ stage: 'kernel', reason: 'the boot loader started no kernel: grub>' });
  });

  it('broken fstab: the kernel booted, systemd reached emergency.target: multi-user fails, naming the mount', () => {
    const progress = stages(recorded('broken-fstab'));
    expect(progress.reached.map((mark) => mark.stage)).toEqual(['reboot', 'bootloader', 'kernel']);
    expect(progress.failed?.stage).toBe('multi-user');
    expect(progress.failed?.reason).toBe(
      'the system did not reach multi-user (no login prompt): Reached target emergency.target (first failure: Failed to mount srv-broken.mount - /srv/broken.)',
    );
  });

  it('a good boot: every stage up to the host name; another host name fails hostname', () => {
    // The recorded good boot up to the mounts, then the login prompt as Debian's getty prints it on ttyS0.
    const boot = cleanConsole(recorded('broken-fstab'));
    expect(boot).toContain('Mounting srv-broken.mount');
    const good = `${boot.slice(0, boot.indexOf('Mounting srv-broken.mount'))}\r\n\r\nDebian GNU/Linux 12 imagetest ttyS0\r\n\r\nimagetest login: `;
    const progress = stages(good);
    expect(progress.failed).toBeNull();
    expect(progress.reached.map((mark) => mark.stage)).toEqual(['reboot', 'bootloader', 'kernel', 'multi-user', 'hostname']);
    expect(stages(good.replace('imagetest login:', 'golden login:')).failed).toEqual({ stage: 'hostname', reason: 'the login prompt shows golden, not imagetest' });
  });

  it('is patient while a stage has not shown yet, and looks only after `since`', () => {
    const boot = recorded('broken-fstab');
    const sofar = boot.slice(0, boot.indexOf('Loading Linux'));
    expect(stages(sofar)).toEqual({ reached: [expect.objectContaining({ stage: 'reboot' }), expect.objectContaining({ stage: 'bootloader' })], failed: null });
    // The first netboot's menu lies before `since`: it is not the reboot.
    const install = 'iPXE initialising devices...ok\r\n  Boot from the local disk  \r\nsi-installer: phase post reboot\r\n';
    expect(bootProgress(install, { since: install.indexOf('si-installer: phase post'), hostname: 'imagetest' })).toEqual({ reached: [], failed: null });
  });

  it('no loader on the disk fails bootloader', () => {
    const text = 'SeaBIOS (version 1.16.2-debian-1.16.2-1)\r\nBooting from SAN device 0x80\r\nBoot failed: not a bootable disk\r\n\r\nNo bootable device.\r\n';
    expect(stages(text).failed).toEqual({ stage: 'bootloader', reason: 'no boot loader ran from the disk: Boot failed: not a bootable disk' });
  });
});

describe('the installer on the console', () => {
  it('started at its first phase line; a failure names the phase and the message', () => {
    expect(installerState('Probing EDD (edd=off to disable)... ok\r\n')).toEqual({ started: false, failure: null });
    expect(installerState('\x1b[2Jsi-installer: phase modules\r\n')).toEqual({ started: true, failure: null });
    expect(installerState('si-installer: phase network\r\nsi-installer: FAILED in phase network: no DHCP answer on eth0 (52:54:00:5e:17:01)\r\n').failure).toBe(
      'installer phase network: no DHCP answer on eth0 (52:54:00:5e:17:01)',
    );
    expect(installerState('si-installer: phase install\r\nsi: phase copy start\r\nsi: phase copy failed\r\n').failure).toBe('install phase copy failed');
  });

  it('keeps the tail readable: no escapes, no carriage returns', () => {
    const tail = consoleTail(recorded('no-kernel'), 3);
    expect(tail.split('\n')).toHaveLength(3);
    expect(tail).toMatch(/grub>$/);
    expect(cleanConsole('\x1b[0;32m  OK  \x1b[0m] Reached\r\n')).toBe('  OK  ] Reached\n');
    expect(consoleTail('a\r\nb\x1b[2J\x1b[1;1Hc\r\nd\n', 2)).toBe('bc\nd');
    expect(consoleTail('one\ntwo\nthree', 2)).toBe('two\nthree');
  });
});

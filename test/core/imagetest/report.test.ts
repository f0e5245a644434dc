import { describe, expect, it } from 'vitest';
import { reportJson, reportText, stageLine, summaryLine, type ImageTestReport } from '../../../src/core/imagetest/report.js';
import { parseImageTestOptions } from '../../../src/core/imagetest/options.js';

const stages = [
  { name: 'netboot', seconds: 14.6, ok: true },
  { name: 'install:partition', seconds: 3.2, ok: true },
  { name: 'install:copy', seconds: 57, ok: true },
  { name: 'reboot', seconds: 9, ok: true },
  { name: 'bootloader', seconds: 2, ok: true },
  { name: 'kernel', seconds: 4.04, ok: true },
  { name: 'multi-user', seconds: 20, ok: true },
  { name: 'hostname', seconds: 0, ok: true },
  { name: 'sshd', seconds: 5, ok: true },
];
const pass: ImageTestReport = { result: 'pass', image: 'compute', version: 3, firmware: 'bios', stages, failedStage: null, reason: null, consoleTail: 'imagetest login: ' };

describe('image test report', () => {
  it('sums netboot, the install phases and the boot stages in the PASS line', () => {
    expect(summaryLine(pass)).toBe('PASS image compute v3 (bios): netboot 15 s, install 60 s, boot 40 s');
    expect(reportText(pass)).toBe('PASS image compute v3 (bios): netboot 15 s, install 60 s, boot 40 s');
  });

  it('names the failed stage and prints the console tail', () => {
    const fail: ImageTestReport = { ...pass, result: 'fail', firmware: 'uefi', stages: [...stages.slice(0, 6), { name: 'multi-user', seconds: 12, ok: false }], failedStage: 'multi-user', reason: 'the system did not reach multi-user (no login prompt): You are in emergency mode', consoleTail: 'line 1\nYou are in emergency mode' };
    expect(reportText(fail)).toBe(
      'FAIL image compute v3 (uefi) at stage multi-user: the system did not reach multi-user (no login prompt): You are in emergency mode\nconsole (last lines):\n  line 1\n  You are in emergency mode',
    );
    expect(reportJson(fail)).toEqual({
      result: 'fail', image: 'compute', version: 3, firmware: 'uefi',
      stages: fail.stages.map((s) => ({ ...s, seconds: Math.round(s.seconds * 10) / 10 })),
      failedStage: 'multi-user', reason: fail.reason, consoleTail: fail.consoleTail,
    });
  });

  it('prints one progress line per stage', () => {
    expect(stageLine({ name: 'install:copy', seconds: 57.4, ok: true })).toBe('ok   install:copy         57 s');
    expect(stageLine({ name: 'kernel', seconds: 4.04, ok: false })).toBe('FAIL kernel               4.0 s');
  });
});

describe('image test options', () => {
  it('defaults to BIOS, KVM when usable and an hour', () => {
    expect(parseImageTestOptions({})).toEqual({ firmware: 'bios', accel: 'auto', timeoutMs: 3_600_000 });
    expect(parseImageTestOptions({ firmware: 'uefi', accel: 'tcg', timeout: '600' })).toEqual({ firmware: 'uefi', accel: 'tcg', timeoutMs: 600_000 });
  });

  it('refuses other firmware, accelerators and timeouts in one line', () => {
    expect(() => parseImageTestOptions({ firmware: 'coreboot' })).toThrow('invalid --firmware "coreboot": give bios or uefi');
    expect(() => parseImageTestOptions({ accel: 'hvf' })).toThrow('invalid --accel "hvf": give auto, kvm or tcg');
    expect(() => parseImageTestOptions({ timeout: '10' })).toThrow(/at least 60/);
    expect(() => parseImageTestOptions({ timeout: 'soon' })).toThrow(/give seconds/);
  });
});

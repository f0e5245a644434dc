// Which configure stages an update re-runs: those whose inputs its changes touch, all of them when the host's plan
// changed or the last update did not finish, and those an earlier run left pending. si-updateclient's sed script
// must name the same stages as the TypeScript (si updateclient), under GNU sed and busybox sed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { candidateStages, changedPath, chooseStages, stageMatchSed, touchedStages } from '../../../src/core/updates/stage-inputs.js';
import { capture } from '../../../src/infra/run.js';

const LINES = [
  '>f.st...... etc/ssh/sshd_config',
  '*deleting   usr/share/doc/apt/',
  '>f+++++++++ srv/data/new.bin',
  'cL+++++++++ usr/lib/modules/6.1.0-9-amd64/build -> /usr/src/x',
  '>f+++++++++ boot/vmlinuz-6.1.0-9-amd64',
  '>f..t...... etc/sshfoo',
  '>f.st...... usr/sbin/grub-install',
  'hf+++++++++ usr/bin/ssh-keygen => usr/bin/other',
  '>f.st...... usr/share/zoneinfo/Europe/Paris',
  '>f.st...... etc/motd',
];

describe('configure stages an update re-runs', () => {
  it('reads the path of each itemized line', () => {
    expect(LINES.map(changedPath).slice(0, 4)).toEqual(['/etc/ssh/sshd_config', '/usr/share/doc/apt', '/srv/data/new.bin', '/usr/lib/modules/6.1.0-9-amd64/build']);
    expect(changedPath(LINES[7] as string)).toBe('/usr/bin/ssh-keygen');
  });

  it('re-runs only the stages whose inputs the changes touch; user-exits only with site scripts', () => {
    const all = candidateStages(true);
    expect(touchedStages(all, ['>f.st...... etc/motd', '>f+++++++++ srv/data/new.bin', '*deleting   usr/share/doc/apt/'], false)).toEqual([]);
    expect(touchedStages(all, ['>f.st...... etc/motd'], true)).toEqual(['user-exits']);
    expect(touchedStages(all, ['>f.st...... etc/ssh/sshd_config'], false)).toEqual(['identity']);
    expect(touchedStages(all, ['>f..t...... etc/sshfoo'], false)).toEqual([]);
    expect(touchedStages(all, ['>f+++++++++ boot/vmlinuz-6.1.0-9-amd64'], false)).toEqual(['initrd', 'bootloader']);
    expect(touchedStages(all, ['>f.st...... usr/share/zoneinfo/Europe/Paris'], false)).toEqual(['locale']);
    expect(touchedStages(all, ['>f.st...... usr/sbin/grub-install'], false)).toEqual(['initrd', 'bootloader']);
    expect(touchedStages(all, [], true)).toEqual([]);
  });

  it('runs every stage when the plan changed or the last update did not finish; keeps what options left out pending', () => {
    const base = { changes: ['>f.st...... etc/motd'], planChanged: false, unfinished: false, pending: [], configure: true, bootloader: true, siteScripts: false };
    expect(chooseStages(base)).toEqual({ run: [], pending: [] });
    expect(chooseStages({ ...base, planChanged: true })).toEqual({ run: ['identity', 'initrd', 'locale', 'user-exits', 'bootloader'], pending: [] });
    expect(chooseStages({ ...base, unfinished: true, bootloader: false })).toEqual({ run: ['identity', 'initrd', 'locale', 'user-exits'], pending: ['bootloader'] });
    const kernel = { ...base, changes: ['>f+++++++++ boot/vmlinuz-6.1.0-9-amd64'] };
    expect(chooseStages({ ...kernel, bootloader: false })).toEqual({ run: ['initrd'], pending: ['bootloader'] });
    expect(chooseStages({ ...kernel, configure: false })).toEqual({ run: [], pending: ['initrd', 'bootloader'] });
    // The next run, with nothing changed, runs what was left.
    expect(chooseStages({ ...base, changes: [], pending: ['initrd', 'bootloader'] })).toEqual({ run: ['initrd', 'bootloader'], pending: [] });
  });

  it("si-updateclient's sed names the stages touchedStages names, line by line, in GNU sed and busybox sed", async () => {
    const work = mkdtempSync(join(tmpdir(), 'si-stage-sed-'));
    try {
      const script = join(work, 'stages.sed');
      writeFileSync(script, stageMatchSed(candidateStages(true)));
      for (const line of LINES) {
        writeFileSync(join(work, 'changes'), `${line}\n`);
        const want = touchedStages(candidateStages(true), [line], true);
        for (const sed of [['sed'], ['busybox', 'sed']]) {
          const out = await capture([...sed, '-n', '-f', script, join(work, 'changes')]);
          expect(out.exitCode, out.stderr).toBe(0);
          expect([...new Set(out.stdout.split('\n').filter(Boolean))], `${sed.join(' ')}: ${line}`).toEqual(want);
        }
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

// The update's pure parts: the excludes of a host's plan, the conf both updaters read, the version a server lists.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { emptyStagePlan, type ConfigurePlan } from '../../../src/core/configure/plan.js';
import { parseUpdateConf, versionFromListing } from '../../../src/core/updates/client-conf.js';
import { BUILTIN_EXCLUDES, hostExcludes, updateExcludes } from '../../../src/core/updates/excludes.js';
import { lockIsHeld, lockPath, parseLockOwner } from '../../../src/core/updates/lock.js';
import { formatResultLine, parseResultLine, summarizeRsync } from '../../../src/core/updates/result.js';
import { updateRsyncArgv } from '../../../src/core/updates/update-plan.js';

describe('update core', () => {
  it('excludes every file the plan writes, links, removes or records; a MAC path up to its token', () => {
    const identity = { ...emptyStagePlan('identity'), identity: [{ kind: 'fresh-machine-id' as const, path: '/etc/machine-id', replace: [] }], record: { path: '/etc/sisuite/identity', host: 'n1', files: ['/etc/ssh/ssh_host_*'] } };
    const network = { ...emptyStagePlan('network'), write: [{ path: '/etc/systemd/network/10-${SI_BOOT_MAC}.network', mode: '0644', content: '' }, { path: '/etc/odd[1]', mode: '0644', content: '' }], links: [{ path: '/etc/resolv.conf', target: 'x' }], remove: ['/etc/network/interfaces.d/golden'] };
    const plan: ConfigurePlan = { format: 1, host: 'n1', system: { id: 'debian' } as ConfigurePlan['system'], stages: [identity, network] };
    expect(hostExcludes(plan)).toEqual(['/etc/machine-id', '/etc/network/interfaces.d/golden', '/etc/odd\\[1]', '/etc/resolv.conf', '/etc/sisuite/identity', '/etc/ssh/ssh_host_*', '/etc/systemd/network/10-*'].sort());
    const all = updateExcludes({ host: ['/etc/x'], local: ['/opt/*'] });
    expect(all.slice(0, BUILTIN_EXCLUDES.length)).toEqual([...BUILTIN_EXCLUDES]);
    expect(all).toContain('/run/*');
    expect(all).toContain('/dev/*');
    expect(all.at(-1)).toBe('/opt/*');
  });

  it('reads the conf the install writes, quotes included, and refuses one without server or image', () => {
    const conf = parseUpdateConf("# c\nSI_SERVER='10.0.0.1'\nSI_IMAGE='web'\nSI_HOST='n1'\nSI_TRANSPORT='ssh'\nSI_SSH_OPTIONS='-o BatchMode=yes -i /root/it'\\''s'\nSI_RSYNC_PORT=''\n", 'c');
    expect(conf.source).toMatchObject({ server: '10.0.0.1', image: 'web', transport: 'ssh', rsyncPort: undefined });
    expect(conf.sshOptions).toBe("-o BatchMode=yes -i /root/it's");
    expect(() => parseUpdateConf("SI_IMAGE='web'\n", 'c')).toThrow(UserError);
    expect(() => parseUpdateConf("SI_SERVER=s\nSI_IMAGE=web\nSI_TRANSPORT=ftp\n", 'c')).toThrow('unknown transport ftp in c: use rsync or ssh');
  });

  it('finds the version in the daemon module list and in the ssh link listing', () => {
    const modules = 'web            \tsisuite image web version 12\nweb2           \tsisuite image web2 version 3\nscripts        \tsisuite autoinstall scripts\n';
    expect(versionFromListing(modules, 'web', 'rsync')).toBe('12');
    expect(versionFromListing(modules, 'web2', 'rsync')).toBe('3');
    expect(versionFromListing('old            \tsisuite image old\n', 'old', 'rsync')).toBe('unknown');
    expect(versionFromListing(modules, 'nosuch', 'rsync')).toBeNull();
    expect(versionFromListing('lrwxrwxrwx             19 2025/01/01 10:00:00 web -> ../versions/web/7\n', 'web', 'ssh')).toBe('7');
  });

  it('builds one rsync argv: the image over the root, deleting, never --delete-excluded', () => {
    const argv = updateRsyncArgv({ source: { server: '10.0.0.1', image: 'web', transport: 'rsync', rsyncPort: 8730 }, root: '/', excludeFile: '/tmp/x', dryRun: true });
    expect(argv).toEqual(['rsync', '-aHAXS', '--numeric-ids', '--delete', '--exclude-from=/tmp/x', '--stats', '--itemize-changes', '--dry-run', '--', 'rsync://10.0.0.1:8730/web/', '/']);
    expect(argv).not.toContain('--delete-excluded');
  });

  it('writes and reads the result line; a failure carries exit and the reason, spaces and all', () => {
    const ok = { result: 'ok' as const, image: 'web', version: '7', files: 3, bytes_received: 1234, dry_run: false, stages: ['identity', 'locale'] };
    expect(formatResultLine('si-updateclient', ok)).toBe('si-updateclient: result=ok image=web version=7 files=3 bytes_received=1234 dry_run=0 stages=identity,locale');
    expect(parseResultLine(`noise\nsi-updateclient: result=ok image=web version=7 files=3 bytes_received=1234 dry_run=0 stages=identity,locale\n`)).toEqual(ok);
    const failed = { ...ok, result: 'failed' as const, version: 'unknown', dry_run: true, stages: [], exit: 3, reason: 'cannot reach the image server 10.0.0.1 over rsync (code 10: x=y): nothing changed' };
    expect(formatResultLine('si', failed)).toMatch(/ dry_run=1 stages=- exit=3 reason=cannot reach /);
    expect(parseResultLine(formatResultLine('si', failed))).toEqual(failed);
    // A line of a script from before stages= was on it: no stage named.
    expect(parseResultLine('si-updateclient: result=ok image=web version=7 files=3 bytes_received=1234 dry_run=0\n')?.stages).toEqual([]);
    expect(parseResultLine('si-updateclient: updated / to image web version 7\n')).toBeNull();
  });

  it('counts the itemized changes but not a directory whose only change is its time, and the bytes received', () => {
    const out = ['cd+++++++++ srv/new/', '>f+++++++++ srv/new/a', '.d..t...... etc/', '.f...p..... etc/mode', '*deleting   old/', 'hf+++++++++ link => srv/new/a', '', 'Number of files: 10 (reg: 8, dir: 2)', 'Total bytes received: 2,097,152', 'sent 1,024 bytes'].join('\n');
    expect(summarizeRsync(out)).toEqual({ changes: ['cd+++++++++ srv/new/', '>f+++++++++ srv/new/a', '.f...p..... etc/mode', '*deleting   old/', 'hf+++++++++ link => srv/new/a'], bytesReceived: 2097152 });
  });

  it('names one lock per tree in /run and tells a held lock from a stale one', () => {
    expect(lockPath('/run', '/')).toBe('/run/si-updateclient.lock');
    expect(lockPath('/run', '')).toBe('/run/si-updateclient.lock');
    expect(lockPath('/run', '/srv/a%2Fb/')).toBe('/run/si-updateclient%2Fsrv%2Fa%252Fb.lock');
    expect(lockPath('/run', '/srv/a/b')).toBe('/run/si-updateclient%2Fsrv%2Fa%2Fb.lock');
    const owner = parseLockOwner('123 abc-boot 2026-01-01T00:00:00Z');
    expect(owner).toEqual({ pid: 123, bootId: 'abc-boot', started: '2026-01-01T00:00:00Z' });
    expect(lockIsHeld(owner, { bootId: 'abc-boot', alive: () => true })).toBe(true);
    expect(lockIsHeld(owner, { bootId: 'abc-boot', alive: () => false })).toBe(false);
    expect(lockIsHeld(owner, { bootId: 'other-boot', alive: () => true })).toBe(false);
    expect(lockIsHeld(parseLockOwner('garbage'), { bootId: 'abc-boot', alive: () => true })).toBe(false);
  });
});

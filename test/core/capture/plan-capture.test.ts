import { describe, expect, it } from 'vitest';
import { homePaths } from '../../../src/core/home.js';
import { planCapture, REQUIRED_PATHS, type CapturePlanInput } from '../../../src/core/capture/plan-capture.js';

const input = (over: Partial<CapturePlanInput> = {}): CapturePlanInput => ({
  image: 'compute',
  target: { user: 'root', host: 'fd00::2' },
  sourceLabel: 'root@[fd00::2]:22',
  paths: homePaths('/srv/si'),
  current: 3,
  lastVersion: 4,
  incomingExists: false,
  mounts: null,
  userExcludes: ['/var/cache/*'],
  ssh: { port: 22, knownHostsFile: '/srv/si/known_hosts', controlPath: '/run/m' },
  progress: true,
  allowEmpty: false,
  ...over,
});

describe('planCapture', () => {
  it('copies into .incoming, hard-linking unchanged files to the current version, as the next number', () => {
    const plan = planCapture(input());
    expect(plan.version).toBe(5);
    expect(plan.destination).toBe('/srv/si/versions/compute/.incoming');
    expect(plan.linkDest).toBe('/srv/si/versions/compute/3');
    expect(plan.argv).toContain('--link-dest=/srv/si/versions/compute/3');
    expect(plan.argv).toContain('--exclude=/var/cache/*');
    expect(plan.argv.slice(-3)).toEqual(['--', 'root@[fd00::2]:/', '/srv/si/versions/compute/.incoming/']);
    expect(plan.argv).not.toContain('--dry-run');
    expect(plan.requiredPaths).toEqual(REQUIRED_PATHS);
  });

  it('previews with the same flags and excludes, against the current version, without writing', () => {
    const plan = planCapture(input());
    expect(plan.preview.argv).toContain('--dry-run');
    expect(plan.preview.argv.some((w) => w.startsWith('--link-dest'))).toBe(false);
    expect(plan.preview.argv.at(-1)).toBe('/srv/si/versions/compute/3/');
    const withoutTarget = (argv: string[]) => argv.filter((w) => w !== '--dry-run' && !w.startsWith('--link-dest')).slice(0, -1);
    expect(withoutTarget(plan.preview.argv)).toEqual(withoutTarget(plan.argv));
  });

  it('checks for changes against the current version with the copy\'s flags and excludes, listing only, nothing written', () => {
    const plan = planCapture(input());
    const check = plan.changeCheck ?? [];
    expect(check).toContain('--dry-run');
    expect(check).toContain('--out-format=%i %n');
    expect(check.at(-1)).toBe('/srv/si/versions/compute/3/');
    const copyFlags = (argv: string[]) => argv.filter((w) => !/^--(dry-run|link-dest|out-format|info|no-human-readable)/.test(w)).slice(0, -1);
    expect(copyFlags(check)).toEqual(copyFlags(plan.argv));
    expect(planCapture(input({ current: null, lastVersion: 0 })).changeCheck).toBeNull();
  });

  it('plans a first capture without --link-dest, and says when it resumes a partial copy', () => {
    const plan = planCapture(input({ current: null, lastVersion: 0, incomingExists: true }));
    expect(plan.version).toBe(1);
    expect(plan.linkDest).toBeNull();
    expect(plan.argv.some((w) => w.startsWith('--link-dest'))).toBe(false);
    expect(plan.resumesPartialCopy).toBe(true);
    expect(plan.preview.argv.at(-1)).toBe('/srv/si/versions/compute/.incoming/');
  });

  it('requires nothing with --allow-empty', () => {
    expect(planCapture(input({ allowEmpty: true })).requiredPaths).toEqual([]);
  });
});

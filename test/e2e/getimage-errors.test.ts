// Bad input to getimage and the image commands: one line naming the problem, non-zero exit, nothing changed.
import { mkdtemp, rm, readFile, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from '../world/netns.js';
import { minbaseTree } from '../world/debootstrap-cache.js';
import { startGoldenClient, type GoldenClient } from '../world/golden-client.js';
import { compareDigests, treeDigest } from '../world/digest.js';
import { run } from '../../src/infra/run.js';
import { dumpRegistry, PROJECT, si, siOk, type SiResult } from '../support/si.js';

interface Plan {
  version: number;
  destination: string;
  linkDest: string | null;
  excludes: string[];
  argv: string[];
  requiredPaths: string[];
}

describe('si getimage and si image refuse bad input and change nothing', () => {
  let world: World;
  let golden: GoldenClient;
  let work: string;
  let home: string;
  let tree: string;

  const snapshot = async () => ({
    registry: dumpRegistry(home),
    tree: await treeDigest(home, { exclude: (p) => p.startsWith('/sisuite.db') }),
    knownHosts: existsSync(join(home, 'known_hosts')) ? await readFile(join(home, 'known_hosts'), 'utf8') : null,
  });

  /**
   * Runs si, then checks the refusal: one error line (the last on stderr, after any progress lines),
   * a non-zero exit code, and no change to the registry, the trees or known_hosts.
   */
  async function expectRefused(args: string[], message: RegExp, options: { ns?: boolean; image?: string } = {}): Promise<SiResult> {
    const before = await snapshot();
    const result = await si(home, args, { ns: options.ns ? world.server : undefined });
    expect(result.exitCode, result.stderr).not.toBe(0);
    expect(result.exitCode).not.toBeNull();
    const errors = result.stderr.trim().split('\n').filter((line) => line.startsWith('si: '));
    expect(errors, result.stderr).toHaveLength(1);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(errors[0]);
    expect(errors[0]).toMatch(message);
    if (options.ns) expect(await world.server.processes()).toEqual([]);
    const after = await snapshot();
    expect(after.registry).toEqual(before.registry);
    expect(after.knownHosts).toEqual(before.knownHosts);
    // The home's own mtime moves when SQLite creates and removes its WAL files beside the database; an image's
    // directory's when a writer took its lock (and a partial copy came and went) there.
    const touched = new Set(['/', ...(options.image ? [`/versions`, `/versions/${options.image}`] : [])]);
    const ignore = (path: string, field: string) => touched.has(path) && field === 'mtime';
    expect(compareDigests(after.tree, before.tree, { ignore })).toEqual({ onlyInA: [], onlyInB: [], differ: [] });
    return result;
  }

  const getimage = (extra: string[]) => ['getimage', '--golden-client', golden.host, '--ssh-key', golden.keyPath, ...extra];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'si-errors-'));
    home = join(work, 'home');
    tree = join(work, 'golden');
    await minbaseTree(tree);
    world = await createWorld({ prefix: 'sier' });
    golden = await startGoldenClient({ ns: world.client, root: tree });
    await siOk(home, getimage(['--image', 'base']), { ns: world.server });
  });

  afterAll(async () => {
    await golden?.stop();
    await world?.destroy();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it.each([['../x'], ['a;b'], ['A B'], ['']])('refuses the image name %j', async (name) => {
    await expectRefused(getimage(['--image', name]), /invalid image name/, { ns: true });
  });

  it('refuses an unreachable golden client: a closed port and an address with no route', async () => {
    await expectRefused(getimage(['--image', 'base', '--ssh-port', '2222']), /cannot reach root@\[10\.231\.\d+\.2\]:2222.*ECONNREFUSED/, { ns: true });
    // No route out of the namespace: the connection fails at once and no packet leaves.
    await expectRefused(
      ['getimage', '--golden-client', '10.232.255.1', '--image', 'base', '--ssh-key', golden.keyPath],
      /cannot reach root@10\.232\.255\.1.*(ENETUNREACH|EHOSTUNREACH)/,
      { ns: true },
    );
  });

  it('refuses a key the golden client does not accept', async () => {
    const otherKey = join(work, 'other_key');
    await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
    await expectRefused(
      ['getimage', '--golden-client', golden.host, '--image', 'base', '--ssh-key', otherKey],
      /refused the key from .*other_key.*authorized_keys/,
      { ns: true },
    );
  });

  it('refuses unknown images and missing versions', async () => {
    await expectRefused(['image', 'show', 'nosuch'], /no image named nosuch/);
    await expectRefused(['image', 'rm', 'nosuch'], /no image named nosuch/);
    await expectRefused(['image', 'rollback', 'nosuch'], /no image named nosuch/);
    await expectRefused(['image', 'diff', 'base', '1', '9'], /image base has no version 9/);
    await expectRefused(['image', 'rollback', 'base', '9'], /image base has no version 9/);
    await expectRefused(['image', 'rollback', 'base'], /no version older than 1/);
    await expectRefused(['image', 'diff', 'base', '1', 'x'], /invalid version "x"/);
    await expectRefused(['image', 'gc', 'base', '--keep', '0'], /--keep must be/);
    await expectRefused(['image', 'cp', 'base', 'Bad Name'], /invalid image name/);
    await expectRefused(['image', 'mv', 'base', 'base'], /the source and destination are both base: give a new name/);
  });

  it('changes nothing on --dry-run, prints the plan, and the capture then runs that plan', async () => {
    const before = await snapshot();
    const result = await si(home, [...getimage(['--image', 'base', '--dry-run', '--json'])], { ns: world.server });
    expect(result.exitCode, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { dryRun: boolean; version: number | null; files: number; plan: Plan };
    expect(summary).toMatchObject({ dryRun: true, version: null });
    expect(summary.files).toBeGreaterThan(1000);
    expect(summary.plan).toMatchObject({
      version: 2,
      destination: join(home, 'versions/base/.incoming'),
      linkDest: join(home, 'versions/base/1'),
      requiredPaths: ['/etc', '/usr'],
    });
    expect(summary.plan.argv).toContain(`--link-dest=${join(home, 'versions/base/1')}`);
    expect(summary.plan.argv).not.toContain('--dry-run');
    expect(summary.plan.excludes).toContain('/proc/*');

    const human = await si(home, [...getimage(['--image', 'base', '--dry-run'])], { ns: world.server });
    expect(human.exitCode, human.stderr).toBe(0);
    expect(human.stdout).toContain('dry run: would capture root@');
    expect(human.stdout).toMatch(/^ {2}link-dest {4}\S+\/versions\/base\/1$/m);
    expect(human.stdout).toMatch(/^ {2}rsync {8}rsync -aHAXS --numeric-ids --delete .*--link-dest=/m);

    const after = await snapshot();
    expect(after.registry).toEqual(before.registry);
    const ignore = (path: string, field: string) => path === '/' && field === 'mtime';
    expect(compareDigests(after.tree, before.tree, { ignore })).toEqual({ onlyInA: [], onlyInB: [], differ: [] });

    // A capture runs exactly the command its dry run planned (the master's socket path differs from run to run).
    const planned = JSON.parse((await si(home, getimage(['--image', 'planned', '--dry-run', '--json']), { ns: world.server })).stdout) as { plan: Plan; files: number };
    expect(existsSync(join(home, 'versions/planned'))).toBe(false);
    const real = JSON.parse((await si(home, getimage(['--image', 'planned', '--json']), { ns: world.server })).stdout) as { plan: Plan; files: number };
    const socketless = (plan: Plan) => plan.argv.map((w) => w.replace(/ControlPath=\S+/, 'ControlPath=X'));
    expect(socketless(real.plan)).toEqual(socketless(planned.plan));
    expect(real.plan.linkDest).toBeNull();
    expect(real.files).toBe(planned.files);
    await siOk(home, ['image', 'rm', 'planned']);
  });

  it('refuses a capture that holds no system (no /etc, no /usr) and keeps it with --allow-empty', async () => {
    const link = readlinkSync(join(home, 'images/base'));
    await expectRefused(getimage(['--image', 'base', '--exclude', '/*']), /the capture of root@\S+ holds no usable system \(no \/etc, no \/usr\), so base is unchanged: .*--allow-empty/, {
      ns: true,
      image: 'base',
    });
    expect(readlinkSync(join(home, 'images/base'))).toBe(link);
    expect(existsSync(join(home, 'versions/base/.incoming'))).toBe(false);
    // A new image refused the same way leaves no trace at all.
    await expectRefused(getimage(['--image', 'hollow', '--exclude', '/usr', '--exclude', '/etc']), /holds no usable system \(no \/etc, no \/usr\)/, { ns: true, image: 'hollow' });
    expect(existsSync(join(home, 'versions/hollow'))).toBe(false);

    const kept = await siOk<{ version: number }>(home, getimage(['--image', 'hollow', '--exclude', '/*', '--allow-empty', '--json']), { ns: world.server });
    expect(kept.version).toBe(1);
    expect(readdirSync(join(home, 'versions/hollow/1')).filter((n) => n !== 'etc')).toEqual([]);
    await siOk(home, ['image', 'rm', 'hollow']);
  });

  it('leaves out what --exclude and --exclude-file name, keeping the directories that hold them', async () => {
    const excludeFile = join(work, 'excludes');
    await writeFile(excludeFile, '# site excludes\n/var/cache/apt/*\n\n/usr/share/doc/*\n');
    const summary = JSON.parse(
      (await si(home, getimage(['--image', 'slim', '--exclude', '/usr/share/man/*', '--exclude-file', excludeFile, '--json']), { ns: world.server })).stdout,
    ) as { version: number; excludes: string[] };
    expect(summary.version).toBe(1);
    expect(summary.excludes).toEqual(expect.arrayContaining(['/usr/share/man/*', '/var/cache/apt/*', '/usr/share/doc/*']));
    const image = join(home, 'versions/slim/1');
    for (const dir of ['usr/share/man', 'usr/share/doc', 'var/cache/apt']) {
      expect(existsSync(join(image, dir)), dir).toBe(true);
      expect(readdirSync(join(image, dir)), dir).toEqual([]);
      expect(readdirSync(join(tree, dir)).length, dir).toBeGreaterThan(0);
    }
  });

  it('draws a progress bar on a terminal', async () => {
    // script(1) gives si a pseudo-terminal; the bar is drawn on stderr with carriage returns.
    const command = [`${PROJECT}bin/si`, '--home', home, ...getimage(['--image', 'tty'])].map((w) => `'${w}'`).join(' ');
    const result = await world.server.run(['script', '-qefc', command, '/dev/null'], { timeout: 120_000 });
    expect(result.stdout).toMatch(/\[[\u2588\u2591]+\] \d+%/);
    expect(result.stdout).toContain('captured root@');
  });

  it('refuses a golden client whose host key changed, and keeps the recorded key', async () => {
    await golden.regenerateHostKeys();
    await expectRefused(getimage(['--image', 'base']), /host key of 10\.231\.\d+\.2 has changed .*known_hosts line 1/, { ns: true });
  });
});

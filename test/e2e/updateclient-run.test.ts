// What one si-updateclient run promises, against the real rsync daemon in namespaces: the version the install
// recorded, the result line's numbers for a known change set, one run at a time (a second concurrent run exits 4, a
// stale lock is taken over), the bootloader re-run unless --no-bootloader, and --reboot only after a complete update.
// The image carries a stand-in grub-install and update-grub that record their arguments in /var/log (excluded from
// updates); --reboot calls a stand-in named by SI_UPDATECLIENT_REBOOT, never this machine's reboot.
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockPath } from '../../src/core/updates/lock.js';
import { parseResultLine } from '../../src/core/updates/result.js';
import { capture, run, startProcess } from '../../src/infra/run.js';
import { treeDigest, compareDigests } from '../world/digest.js';
import { IMAGE, installedClient, lastLine, type InstalledClient } from './updateclient-fixture.js';

const SAME = { onlyInA: [], onlyInB: [], differ: [] };
const BOOTLOADER_LOG = 'var/log/si-test-bootloader';
const BOOTLOADER_FAILS = 'var/log/si-test-bootloader-fails';
const FAKE_GRUB = `#!/bin/sh
printf '%s\\n' "$(basename "$0") $*" >>/${BOOTLOADER_LOG}
[ ! -e /${BOOTLOADER_FAILS} ]
`;

describe('si-updateclient: result line, lock, bootloader, reboot', () => {
  let c: InstalledClient;
  let reboot: string;
  const rebootCalls = () => (existsSync(`${reboot}.calls`) ? readFileSync(`${reboot}.calls`, 'utf8') : '');
  const bootloaderCalls = () => (existsSync(join(c.root, BOOTLOADER_LOG)) ? readFileSync(join(c.root, BOOTLOADER_LOG), 'utf8') : '');
  const lock = () => lockPath('/run', c.root);
  // The lock is a symlink to no file (its target names the owner): lstat, not exists.
  const locked = () => lstatSync(lock(), { throwIfNoEntry: false }) !== undefined;
  const bootId = () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

  beforeAll(async () => {
    c = await installedClient({
      prefix: 'upcrun',
      transport: 'rsync',
      image: (tree) => {
        // grub-pc's footprint: the host's plan gets a bootloader stage running these two.
        mkdirSync(join(tree, 'usr/lib/grub/i386-pc'), { recursive: true });
        for (const name of ['grub-install', 'update-grub']) {
          writeFileSync(join(tree, 'usr/sbin', name), FAKE_GRUB);
          chmodSync(join(tree, 'usr/sbin', name), 0o755);
        }
      },
    });
    reboot = join(c.work, 'reboot');
    writeFileSync(reboot, `#!/bin/sh\nprintf 'reboot %s\\n' "$*" >>${reboot}.calls\n`, { mode: 0o755 });
  }, 600_000);

  afterAll(async () => {
    if (c) rmSync(lock(), { force: true });
    await c?.destroy();
  }, 120_000);

  it('a freshly installed client says which image version it carries', () => {
    const text = readFileSync(join(c.root, 'etc/sisuite/image-version'), 'utf8');
    expect(text).toMatch(new RegExp(`^SI_IMAGE=${IMAGE}\nSI_IMAGE_VERSION=1\nSI_SERVER=${c.world.server.address.replaceAll('.', '\\.')}\nSI_INSTALLED=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\n$`));
    expect(bootloaderCalls()).toBe('');
  });

  it('the result line counts exactly the changed paths and the bytes received; --json says the same', async () => {
    const idle = await c.updateClient(['--dry-run']);
    expect(idle.exitCode, idle.stderr).toBe(0);
    const base = parseResultLine(lastLine(idle.stdout));
    expect(base).toMatchObject({ result: 'ok', files: 0, dry_run: true });
    // The change set: a new directory with two files (2 MiB of random data), one file changed, a tree of docs removed.
    const gone = 'usr/share/doc/dpkg';
    const goneEntries = 1 + (readdirSync(join(c.root, gone), { recursive: true }) as string[]).length;
    const data = 2 * 1024 * 1024;
    await c.newVersion(async (tree) => {
      mkdirSync(join(tree, 'srv/count'));
      await run(['dd', 'if=/dev/urandom', `of=${join(tree, 'srv/count/data.bin')}`, `bs=${data}`, 'count=1', 'status=none']);
      writeFileSync(join(tree, 'srv/count/note.txt'), 'x\n');
      writeFileSync(join(tree, 'etc/image-note'), 'version 2, longer\n');
      rmSync(join(tree, gone), { recursive: true });
    });
    const files = 3 + 1 + goneEntries;

    const dry = await c.updateClient(['--dry-run']);
    expect(lastLine(dry.stdout)).toMatch(new RegExp(`^si-updateclient: result=ok image=${IMAGE} version=2 files=${files} bytes_received=\\d+ dry_run=1 stages=[a-z,-]+$`));
    const json = await c.si(['--dry-run', '--json']);
    expect(json.exitCode, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect({ ...parsed, changes: undefined, finished_previous: undefined, bytes_received: 0 }).toEqual({ ...parseResultLine(lastLine(dry.stdout)), changes: undefined, finished_previous: undefined, bytes_received: 0 });
    expect(parsed.changes).toHaveLength(files);

    const done = await c.updateClient(['--no-configure']);
    expect(done.exitCode, done.stderr).toBe(0);
    const result = parseResultLine(lastLine(done.stdout));
    expect(result).toMatchObject({ result: 'ok', image: IMAGE, version: '2', files, dry_run: false });
    // rsync's own count: the file list (as in a run with nothing to do) plus the new data, no more.
    expect(result!.bytes_received).toBeGreaterThanOrEqual(data);
    expect(result!.bytes_received).toBeLessThanOrEqual(data * 1.02 + 2 * base!.bytes_received + 64 * 1024);
    const after = await c.updateClient(['--no-configure']);
    expect(parseResultLine(lastLine(after.stdout))).toMatchObject({ result: 'ok', files: 0 });
  }, 300_000);

  it('one run at a time: a second run while one runs exits 4 with one line; a stale lock is taken over', async () => {
    await c.newVersion((tree) => run(['dd', 'if=/dev/urandom', `of=${join(tree, 'srv/count/big.bin')}`, 'bs=1M', 'count=200', 'status=none']));
    let output = '';
    const first = startProcess(['ip', 'netns', 'exec', c.world.client.name, 'sh', join(c.root, 'usr/local/sbin/si-updateclient'), '--root', c.root, '--no-configure'], {
      env: { ...process.env, SI_CMDLINE: join(c.work, 'cmdline') },
      onStdout: (chunk) => (output += chunk.toString()),
      onStderr: (chunk) => (output += chunk.toString()),
    });
    // The first run holds the lock; it is stopped (SIGSTOP) while the others try.
    expect(await first.waitReady(() => locked(), { timeoutMs: 120_000, intervalMs: 5 }), output).toBe('ready');
    const owner = readlinkSync(lock()).split(' ')[0]!;
    await run(['kill', '-STOP', owner]);
    try {
      const second = await c.updateClient(['--no-configure']);
      expect(second.exitCode).toBe(4);
      expect(second.stderr).toMatch(new RegExp(`^si-updateclient: another update of ${c.root} is running \\(pid ${owner}, started \\S+\\): nothing changed; wait for it to end, or remove ${lock()} if no si-updateclient runs\n$`));
      expect(lastLine(second.stdout)).toMatch(/^si-updateclient: result=failed image=bookworm version=unknown files=0 bytes_received=0 dry_run=0 stages=- exit=4 reason=another update /);
      const cli = await c.si(['--dry-run']);
      expect(cli.exitCode).toBe(4);
      expect(cli.stderr).toMatch(new RegExp(`^si: another update of ${c.root} is running \\(pid ${owner}, `));
    } finally {
      await run(['kill', '-CONT', owner]);
    }
    const done = await first.exited;
    expect(done.exitCode, output).toBe(0);
    expect(parseResultLine(lastLine(output))).toMatchObject({ result: 'ok', version: '3', files: 1 });
    expect(locked()).toBe(false);

    // A lock left by a run that is gone (its pid exited): taken over, said, released.
    const dead = await capture(['sh', '-c', 'echo $$']);
    symlinkSync(`${dead.stdout.trim()} ${bootId()} 2026-01-01T00:00:00Z`, lock());
    const takeover = await c.updateClient(['--no-configure']);
    expect(takeover.exitCode, takeover.stderr).toBe(0);
    expect(takeover.stdout).toContain(`si-updateclient: took over the lock of an update that is gone (${dead.stdout.trim()} `);
    expect(locked()).toBe(false);
    // A live pid of an earlier boot is no one either.
    symlinkSync(`${process.pid} 00000000-0000-0000-0000-000000000000 2026-01-01T00:00:00Z`, lock());
    expect((await c.si(['--no-configure'])).exitCode).toBe(0);
    expect(locked()).toBe(false);
  }, 300_000);

  it('re-runs the bootloader unless --no-bootloader; --reboot reboots only after a complete update', async () => {
    const conf = readFileSync(join(c.root, 'etc/sisuite/updateclient.conf'), 'utf8');
    const disk = /^SI_BOOT_DISK='(.*)'$/m.exec(conf)?.[1];
    expect(disk).toMatch(/^\/dev\//);
    rmSync(join(c.root, BOOTLOADER_LOG), { force: true });

    expect((await c.updateClient(['--no-bootloader'])).exitCode).toBe(0);
    expect((await c.updateClient(['--no-configure'])).exitCode).toBe(0);
    expect(bootloaderCalls()).toBe('');
    const withBoot = await c.updateClient([]);
    expect(withBoot.exitCode, withBoot.stderr).toBe(0);
    expect(withBoot.stderr).toContain('configure: bootloader\n');
    expect(bootloaderCalls()).toBe(`grub-install --target=i386-pc ${disk}\nupdate-grub \n`);

    // --reboot on a tree other than / without a stand-in: refused before anything, whatever the rest.
    const before = await treeDigest(c.root);
    const refused = await c.updateClient(['--reboot']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toBe(`si-updateclient: --reboot restarts this machine, not the tree at ${c.root}: update the tree without --reboot\n`);
    expect((await c.si(['--reboot'])).exitCode).toBe(2);
    expect(compareDigests(before, await treeDigest(c.root))).toEqual(SAME);

    // A failed bootloader stage: the update is not complete, no reboot. (Nothing changed since the last run: without
    // its copy of the plan the client takes the plan as changed and re-runs every stage.)
    writeFileSync(join(c.root, BOOTLOADER_FAILS), '');
    rmSync(join(c.root, 'etc/sisuite/updateclient.plan'), { recursive: true });
    const failed = await c.updateClient(['--reboot'], { SI_UPDATECLIENT_REBOOT: reboot });
    expect(failed.exitCode).toBe(1);
    expect(lastLine(failed.stdout)).toMatch(/^si-updateclient: result=failed .* exit=1 reason=the configure stages failed/);
    expect(existsSync(join(c.root, 'etc/sisuite/updateclient.incomplete'))).toBe(true);
    expect((await c.updateClient(['--dry-run', '--reboot'], { SI_UPDATECLIENT_REBOOT: reboot })).stdout).toContain('si-updateclient: would reboot\n');
    expect(rebootCalls()).toBe('');

    // Complete: the result line first, then one reboot.
    rmSync(join(c.root, BOOTLOADER_FAILS));
    const ok = await c.updateClient(['--reboot'], { SI_UPDATECLIENT_REBOOT: reboot });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(lastLine(ok.stdout)).toMatch(/^si-updateclient: result=ok /);
    expect(ok.stdout).toContain('the previous update did not finish');
    expect(rebootCalls()).toBe('reboot \n');
    const cli = await c.si(['--reboot', '--no-bootloader'], { SI_UPDATECLIENT_REBOOT: reboot });
    expect(cli.exitCode, cli.stderr).toBe(0);
    expect(lastLine(cli.stdout)).toMatch(/^si: result=ok image=bookworm /);
    expect(rebootCalls()).toBe('reboot \nreboot \n');
  }, 300_000);
});

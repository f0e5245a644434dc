// si-updateclient over ssh (SI_TRANSPORT=ssh): the image server is a tree of its own whose sshd runs chrooted in
// the server namespace (key auth, strict host keys), SI_HOME inside it. The install copies over ssh and records the
// version it read from the link images/NAME; the update reads the new version the same way and syncs to it.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResultLine } from '../../src/core/updates/result.js';
import { IMAGE, installedClient, lastLine, type InstalledClient } from './updateclient-fixture.js';

describe('si-updateclient over ssh', () => {
  let c: InstalledClient;

  beforeAll(async () => {
    c = await installedClient({ prefix: 'upcssh', transport: 'ssh' });
  }, 600_000);

  afterAll(async () => {
    await c?.destroy();
  }, 120_000);

  it('the install over ssh records the transport and the version it read from the link', () => {
    const conf = readFileSync(join(c.root, 'etc/sisuite/updateclient.conf'), 'utf8');
    expect(conf).toContain("SI_TRANSPORT='ssh'\n");
    expect(conf).toContain(`SI_SSH_HOME='${c.sshHome}'\n`);
    expect(conf).toMatch(/^SI_SSH_OPTIONS='-i \S+ .*BatchMode=yes.*'$/m);
    expect(readFileSync(join(c.root, 'etc/sisuite/image-version'), 'utf8')).toMatch(
      new RegExp(`^SI_IMAGE=${IMAGE}\nSI_IMAGE_VERSION=1\nSI_SERVER=${c.world.server.address.replaceAll('.', '\\.')}\nSI_INSTALLED=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\n$`),
    );
  });

  it('updates over ssh to the version the link names: dry run, then the update, then the CLI', async () => {
    const removed = 'usr/share/doc/apt';
    expect(existsSync(join(c.root, removed))).toBe(true);
    expect(await c.newVersion((tree) => {
      writeFileSync(join(tree, 'etc/image-note'), 'version 2\n');
      writeFileSync(join(tree, 'srv/over-ssh.txt'), 'added in version 2\n');
      rmSync(join(tree, removed), { recursive: true });
    })).toBe(2);

    const dry = await c.updateClient(['--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('>f+++++++++ srv/over-ssh.txt\n');
    expect(dry.stdout).toContain(`*deleting   ${removed}/\n`);
    expect(parseResultLine(lastLine(dry.stdout))).toMatchObject({ result: 'ok', image: IMAGE, version: '2', dry_run: true });
    expect(readFileSync(join(c.root, 'etc/image-note'), 'utf8')).toBe('version 1\n');

    const done = await c.updateClient(['--no-bootloader']);
    expect(done.exitCode, `${done.stdout}${done.stderr}`).toBe(0);
    expect(done.stdout).toContain(`si-updateclient: updating ${c.root} from image ${IMAGE} version 2 on ${c.world.server.address} (ssh)\n`);
    expect(done.stderr).toContain('configure: identity\n');
    const result = parseResultLine(lastLine(done.stdout));
    expect(result).toMatchObject({ result: 'ok', image: IMAGE, version: '2', dry_run: false });
    expect(result?.files).toBe(parseResultLine(lastLine(dry.stdout))?.files);
    expect(readFileSync(join(c.root, 'etc/image-note'), 'utf8')).toBe('version 2\n');
    expect(readFileSync(join(c.root, 'srv/over-ssh.txt'), 'utf8')).toBe('added in version 2\n');
    expect(existsSync(join(c.root, removed))).toBe(false);
    expect(readFileSync(join(c.root, 'etc/sisuite/image-version'), 'utf8')).toMatch(/^SI_IMAGE=bookworm\nSI_IMAGE_VERSION=2\nSI_SERVER=\S+\nSI_INSTALLED=\S+\nSI_UPDATED=\S+\n$/);

    // The CLI over ssh: version 3, one file changed.
    expect(await c.newVersion((tree) => writeFileSync(join(tree, 'etc/image-note'), 'version 3\n'))).toBe(3);
    const cli = await c.si(['--no-bootloader', '--json']);
    expect(cli.exitCode, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ result: 'ok', image: IMAGE, version: '3', files: 1, dry_run: false, changes: ['>f..t...... etc/image-note'] });
    expect(readFileSync(join(c.root, 'etc/image-note'), 'utf8')).toBe('version 3\n');
  }, 600_000);

  it('an image the ssh server does not have: one line, exit 3, nothing changed', async () => {
    const conf = join(c.work, 'other.conf');
    writeFileSync(conf, readFileSync(join(c.root, 'etc/sisuite/updateclient.conf'), 'utf8').replace(`SI_IMAGE='${IMAGE}'`, "SI_IMAGE='nosuch'"));
    const before = readFileSync(join(c.root, 'etc/image-note'), 'utf8');
    const run = await c.updateClient(['--conf', conf]);
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toMatch(/^si-updateclient: the image server \S+ serves no image nosuch: .*nothing changed\n$/);
    expect(lastLine(run.stdout)).toMatch(/^si-updateclient: result=failed image=nosuch version=unknown files=0 bytes_received=0 dry_run=0 stages=- exit=3 reason=the image server /);
    expect(readFileSync(join(c.root, 'etc/image-note'), 'utf8')).toBe(before);
  }, 120_000);
});

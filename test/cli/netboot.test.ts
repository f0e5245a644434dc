// si netboot config through the real bin/si against a temporary home with clients.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeImage } from '../support/images.js';
import { dumpRegistry, si, siOk } from '../support/si.js';

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    // The registry's own WAL files come and go with every reader; the registry is compared by its dump.
    .filter((e) => e.isFile() && !e.name.startsWith('sisuite.db'))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('si netboot config', () => {
  let home: string;

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), 'si-netboot-cli-'));
    makeImage(home, 'bookworm');
    writeFileSync(join(home, 'macs.csv'), 'node001,52:54:00:00:00:01\nnode002,52:54:00:00:00:02\n');
    await siOk(home, ['addclients', '--hosts', 'node[001-002]', '--ip', '10.9.0.11', '--image', 'bookworm', '--group', 'compute', '--macs', join(home, 'macs.csv')]);
    mkdirSync(join(home, 'tftpboot/smartos/overlay/etc'), { recursive: true });
    writeFileSync(join(home, 'tftpboot/smartos/overlay/etc/system'), 'set x=1\n');
    writeFileSync(join(home, 'netboot.json'), JSON.stringify({
      server: '10.9.0.1',
      kernelArgs: { groups: { compute: ['console=ttyS0'] } },
      entries: [{ name: 'smartos', label: 'SmartOS', type: 'multiboot', kernel: 'smartos/unix', args: ['-B', 'smartos=true'], modules: ['smartos/boot_archive'], overlay: 'smartos/overlay' }],
    }));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const ipxe = (mac: string) => readFileSync(join(home, 'netboot/ipxe', `${mac}.ipxe`), 'utf8');

  it('--dry-run lists the files and writes nothing', async () => {
    const before = listFiles(home);
    const out = await siOk<string>(home, ['netboot', 'config', '--dry-run']);
    expect(out).toContain(`would write ${home}/netboot/ipxe/52-54-00-00-00-01.ipxe`);
    expect(out).toContain(`would write ${home}/tftpboot/pxelinux.cfg/0A09000C`);
    expect(listFiles(home)).toEqual(before);
    const json = await siOk<{ file: string; text: string }[]>(home, ['netboot', 'config', '--dry-run', '--json']);
    expect(json.find((f) => f.file.endsWith('dnsmasq.conf'))?.text).toContain('dhcp-host=52:54:00:00:00:01,10.9.0.11,node001\n');
    expect(listFiles(home)).toEqual(before);
  });

  it('writes every file; an installed client is served local boot, a re-armed one the installer; a removed client loses its files', async () => {
    await siOk(home, ['netboot', 'config']);
    expect(listFiles(join(home, 'netboot'))).toEqual(['boot.ipxe', 'dhcpd.conf', 'dnsmasq.conf', 'ipxe/52-54-00-00-00-01.ipxe', 'ipxe/52-54-00-00-00-02.ipxe', 'kea-dhcp4.conf']);
    expect(listFiles(join(home, 'tftpboot'))).toEqual([
      'grub/grub.cfg-01-52-54-00-00-00-01', 'grub/grub.cfg-01-52-54-00-00-00-02',
      'pxelinux.cfg/01-52-54-00-00-00-01', 'pxelinux.cfg/01-52-54-00-00-00-02', 'pxelinux.cfg/0A09000B', 'pxelinux.cfg/0A09000C',
      'smartos/overlay/etc/system',
    ]);
    expect(ipxe('52-54-00-00-00-01')).toContain('choose --default install ');
    expect(ipxe('52-54-00-00-00-01')).toContain(' si.host=node001 si.monitor=http://10.9.0.1/events console=ttyS0 BOOTIF=01-52-54-00-00-00-01\n');
    expect(ipxe('52-54-00-00-00-01')).toContain('module http://10.9.0.1/smartos/overlay/etc/system type=file name=etc/system\n');

    // What a reported success records (install reports): installed, and disarmed.
    await siOk(home, ['client', 'set', 'node001', '--state', 'installed', '--boot', 'local']);
    await siOk(home, ['netboot', 'config']);
    expect(ipxe('52-54-00-00-00-01')).toContain('choose --default local ');
    expect(readFileSync(join(home, 'tftpboot/pxelinux.cfg/01-52-54-00-00-00-01'), 'utf8')).toContain('default local\n');
    expect(readFileSync(join(home, 'tftpboot/grub/grub.cfg-01-52-54-00-00-00-01'), 'utf8')).toContain('set default=local\n');

    await siOk(home, ['client', 'set', 'node001', '--boot', 'install']);
    await siOk(home, ['netboot', 'config']);
    expect(ipxe('52-54-00-00-00-01')).toContain('choose --default install ');

    await siOk(home, ['client', 'rm', 'node002']);
    await siOk(home, ['netboot', 'config']);
    expect(existsSync(join(home, 'netboot/ipxe/52-54-00-00-00-02.ipxe'))).toBe(false);
    expect(existsSync(join(home, 'tftpboot/pxelinux.cfg/0A09000C'))).toBe(false);
    expect(existsSync(join(home, 'tftpboot/smartos/overlay/etc/system'))).toBe(true);
  });

  it('--output writes elsewhere, --server and --flavor take effect', async () => {
    const out = join(home, 'out');
    const result = await siOk<{ written: { file: string; host: string | null }[]; removed: string[] }>(home, ['netboot', 'config', '--output', out, '--server', '10.9.0.2', '--flavor', 'rocky', '--json']);
    expect(result.written).toHaveLength(12); // boot.ipxe, 2 clients x (iPXE, PXELINUX MAC and hex-IP, GRUB), 3 DHCP configs
    expect(result.written).toContainEqual({ file: join(out, 'tftpboot/grub/grub.cfg-01-52-54-00-00-00-02'), host: 'node002' });
    expect(result.removed).toEqual([]);
    expect(existsSync(join(home, 'netboot'))).toBe(false);
    const text = readFileSync(join(out, 'netboot/ipxe/52-54-00-00-00-02.ipxe'), 'utf8');
    expect(text).toContain('kernel http://10.9.0.2/boot/x86_64/rocky/kernel ');
    expect(readFileSync(join(out, 'netboot/dnsmasq.conf'), 'utf8')).toContain(`tftp-root=${out}/tftpboot\n`);
  });

  it('a site copy of a template under $SI_HOME/templates wins; a broken one is one line naming it', async () => {
    mkdirSync(join(home, 'templates/netboot'), { recursive: true });
    writeFileSync(join(home, 'templates/netboot/ipxe.hbs'), '#!ipxe\n# site menu for {{host}}: {{defaultItem}}\nexit\n');
    await siOk(home, ['netboot', 'config']);
    expect(ipxe('52-54-00-00-00-02')).toBe('#!ipxe\n# site menu for node002: install\nexit\n');
    writeFileSync(join(home, 'templates/netboot/ipxe.hbs'), '#!ipxe\n{{nosuchfield}}\n');
    const result = await si(home, ['netboot', 'config']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^si: site template .*templates\/netboot\/ipxe.hbs: .*nosuchfield.*: fix it, or remove it to use the shipped one\n$/);
  });

  it.each([
    [['--server', 'boot.example'], /^si: invalid --server "boot.example": give/],
    [['--settings', '/nonexistent.json'], /^si: cannot read the netboot settings \/nonexistent.json \(ENOENT\)/],
    [['--flavor', '../x'], /^si: invalid --flavor/],
  ])('refuses %j with one line and writes nothing', async (args, message) => {
    const before = { files: listFiles(home), registry: dumpRegistry(home) };
    const result = await si(home, ['netboot', 'config', ...args]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect({ files: listFiles(home), registry: dumpRegistry(home) }).toEqual(before);
  });

  it('refuses a settings file without a server, and a missing overlay folder, naming the fix', async () => {
    writeFileSync(join(home, 'netboot.json'), '{}');
    expect((await si(home, ['netboot', 'config'])).stderr).toMatch(/^si: no boot server address: give --server IP/);
    writeFileSync(join(home, 'netboot.json'), JSON.stringify({ server: '10.9.0.1', entries: [{ name: 'x', label: 'X', type: 'linux', kernel: 'k', overlay: 'nothere' }] }));
    const result = await si(home, ['netboot', 'config']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^si: the overlay folder of boot entry x is missing: create .*\/tftpboot\/nothere/);
    expect(existsSync(join(home, 'netboot'))).toBe(false);
  });
});

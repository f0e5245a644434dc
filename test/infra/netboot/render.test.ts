// Every netboot template: fixture clients in, whole text out (golden files; `vitest -u` rewrites them),
// and each file checked by the real tool that will read it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planIpxeScript, planNetboot } from '../../../src/core/netboot/index.js';
import { netbootRoots, renderNetbootFiles, type RenderedFile } from '../../../src/infra/netboot/index.js';
import { capture } from '../../../src/infra/run.js';
import { createRenderer } from '../../../src/infra/templates.js';
import { CLIENTS, OVERLAYS, SETTINGS } from './fixtures.js';
import { parseIpxe } from './ipxe-parser.js';

const roots = netbootRoots('/var/lib/sisuite');
const files = renderNetbootFiles(
  planNetboot({ clients: CLIENTS, settings: SETTINGS, server: '10.1.0.1', flavor: 'debian', overlays: OVERLAYS, tftpRoot: roots.tftpboot }),
  createRenderer(),
  roots,
);
const byPath = (path: string): RenderedFile => {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`no ${path} among ${files.map((f) => f.path).join(' ')}`);
  return file;
};

describe('si netboot config renders', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'si-netboot-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Writes the text to a scratch file for a validator and runs it; its whole output is in the failure. */
  async function validate(text: string, name: string, argv: (file: string) => string[]): Promise<void> {
    const file = join(work, name);
    writeFileSync(file, text);
    const result = await capture(argv(file));
    expect(result.exitCode, `${argv(file).join(' ')}\n${result.stdout}${result.stderr}`).toBe(0);
  }

  it('exactly the files of the plan: per MAC iPXE, PXELINUX and GRUB-EFI, a hex-IP PXELINUX file per client, three DHCP configs', () => {
    expect(files.map((f) => `${f.root}/${f.path}`)).toEqual([
      'netboot/boot.ipxe',
      'tftpboot/pxelinux.cfg/0A020015',
      'netboot/ipxe/52-54-00-00-01-01.ipxe', 'tftpboot/pxelinux.cfg/01-52-54-00-00-01-01', 'tftpboot/grub/grub.cfg-01-52-54-00-00-01-01',
      'netboot/ipxe/52-54-00-00-01-02.ipxe', 'tftpboot/pxelinux.cfg/01-52-54-00-00-01-02', 'tftpboot/grub/grub.cfg-01-52-54-00-00-01-02',
      'tftpboot/pxelinux.cfg/0A01000B',
      'netboot/ipxe/52-54-00-00-01-03.ipxe', 'tftpboot/pxelinux.cfg/01-52-54-00-00-01-03', 'tftpboot/grub/grub.cfg-01-52-54-00-00-01-03',
      'tftpboot/pxelinux.cfg/0A01000C',
      'netboot/dnsmasq.conf', 'netboot/dhcpd.conf', 'netboot/kea-dhcp4.conf',
    ]);
  });

  it.each(files.map((f) => [f.path, f] as const))('%s matches its golden file', async (path, file) => {
    await expect(file.text).toMatchFileSnapshot(`golden/${path.replaceAll('/', '__')}`);
  });

  it('iPXE scripts parse: #!ipxe, every goto and menu target has its label, the default is the boot decision', () => {
    for (const f of files.filter((x) => x.path.endsWith('.ipxe'))) parseIpxe(f.text);
    expect(parseIpxe(byPath('ipxe/52-54-00-00-01-01.ipxe').text).defaultItem).toBe('install');
    expect(parseIpxe(byPath('ipxe/52-54-00-00-01-03.ipxe').text).defaultItem).toBe('local');
    expect(() => parseIpxe('#!ipxe\ngoto nowhere\n')).toThrow(/goto nowhere: no label/);
    expect(() => parseIpxe('kernel x\n')).toThrow(/#!ipxe/);
  });

  it('planIpxeScript (the boot server, per request) gives the same text as the written file', () => {
    const one = planIpxeScript(CLIENTS[1]!, '52:54:00:00:01:03', { settings: SETTINGS, server: '10.1.0.1', flavor: 'debian', overlays: OVERLAYS });
    expect(createRenderer().render(one.template, one.context)).toBe(byPath('ipxe/52-54-00-00-01-03.ipxe').text);
  });

  it('the installer line carries si.*, the merged kernel arguments and BOOTIF of the MAC', () => {
    const kernel = byPath('ipxe/52-54-00-00-01-02.ipxe').text.split('\n').find((l) => l.startsWith('kernel http://10.1.0.1:8080/boot/x86_64/debian/kernel'));
    expect(kernel).toBe('kernel http://10.1.0.1:8080/boot/x86_64/debian/kernel initrd=initrd.img si.server=10.1.0.1 si.image=bookworm si.host=node001 '
      + 'si.monitor=http://10.1.0.1:8080/events console=ttyS0,115200n8 si.post=poweroff BOOTIF=01-52-54-00-00-01-02');
  });

  it('the multiboot entry loads the platform with -B and its overlay files as modules', () => {
    const text = byPath('ipxe/52-54-00-00-01-01.ipxe').text;
    expect(text).toContain('module http://10.1.0.1:8080/smartos/overlay/kernel/drv/dtrace.conf type=file name=kernel/drv/dtrace.conf\n');
    expect(byPath('pxelinux.cfg/01-52-54-00-00-01-01').text).toContain('kernel mboot.c32\n  append smartos/20140207/platform/i86pc/kernel/amd64/unix -B smartos=true');
  });

  it.each(files.filter((f) => f.path.startsWith('grub/')).map((f) => [f.path, f.text]))('grub-script-check accepts %s', async (path, text) => {
    await validate(text, 'grub.cfg', (file) => ['grub-script-check', file]);
  });

  it('dnsmasq --test accepts dnsmasq.conf', async () => {
    await validate(byPath('dnsmasq.conf').text, 'dnsmasq.conf', (file) => ['dnsmasq', '--test', '-C', file]);
  });

  it('dhcpd -t accepts dhcpd.conf', async () => {
    await validate(byPath('dhcpd.conf').text, 'dhcpd.conf', (file) => ['dhcpd', '-t', '-cf', file]);
  });

  it('kea-dhcp4 -t accepts kea-dhcp4.conf', async () => {
    await validate(byPath('kea-dhcp4.conf').text, 'kea-dhcp4.conf', (file) => ['kea-dhcp4', '-t', file]);
  });

  it('the validators can fail: a broken file is refused by each', async () => {
    for (const [name, text, argv] of [
      ['bad-dnsmasq.conf', 'dhcp-boot-typo=x\n', (f: string) => ['dnsmasq', '--test', '-C', f]],
      ['bad-dhcpd.conf', 'subnet 10.0.0.0 {\n', (f: string) => ['dhcpd', '-t', '-cf', f]],
      ['bad-kea.conf', '{"Dhcp4": {"subnet4": 3}}', (f: string) => ['kea-dhcp4', '-t', f]],
      ['bad-grub.cfg', 'menuentry x {\n', (f: string) => ['grub-script-check', f]],
    ] as const) {
      writeFileSync(join(work, name), text);
      expect((await capture(argv(join(work, name)))).exitCode, name).not.toBe(0);
    }
  });
});

// QEMU VMs (TCG) netboot from si netboot serve inside a test world, the request chain seen in serve's request
// log: BIOS (QEMU's NIC ROM is iPXE: DHCP, then HTTP), UEFI (OVMF's PXE: DHCP, TFTP snponly.efi, then HTTP), UEFI
// HTTP boot (no TFTP), and BIOS and UEFI with --proxy-dhcp beside a plain dnsmasq playing the site's DHCP server.
// The host is installed, so its script boots the local disk: under UEFI the VM, network first, then reaches
// the loader on its disk (the firmware's next boot option after iPXE fails back to it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess, type ProcessHandle } from '../../src/infra/run.js';
import { makeImage } from '../support/images.js';
import { PROJECT, ensureBuilt, siOk } from '../support/si.js';
import { waitFor } from '../support/wait.js';
import { EFI_DISK_MARKER, makeEfiMarkerDisk } from '../world/efi-marker-disk.js';
import { createWorld, type World } from '../world/netns.js';

const MAC = '52:54:00:00:00:03';
const HYPHENS = MAC.replaceAll(':', '-');
/** PXE to the per-MAC script takes ~13 s on a quiet machine (TESTING.md); the bound is for a loaded one. */
const CHAIN_BOUND_MS = 240_000;
/** Per-MAC script to the disk's loader under UEFI: the firmware's HTTPv4 boot option comes first (~25 s quiet). */
const DISK_BOUND_MS = 300_000;
/** uefi: OVMF's PXE (TFTP); uefi-http: OVMF's UEFI HTTP boot, PXE switched off. */
type Firmware = 'bios' | 'uefi' | 'uefi-http';

describe('si netboot serve boots a QEMU VM (BIOS)', () => {
  let world: World;
  let work: string;
  let home: string;

  beforeAll(async () => {
    await ensureBuilt();
    world = await createWorld({ prefix: 'nbq' });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'si-serve-vm-'));
    home = path.join(work, 'home');
    makeImage(home, 'bookworm');
    await makeEfiMarkerDisk(path.join(work, 'efi-disk.raw'));
    fs.writeFileSync(path.join(work, 'macs.csv'), `vm1,${MAC}\n`);
    await siOk(home, ['addclients', '--hosts', 'vm1', '--ip', `${world.subnet}.60`, '--image', 'bookworm', '--macs', path.join(work, 'macs.csv')]);
    // Installed: its script boots the local disk (this test is about the request chain, not the installer).
    await siOk(home, ['client', 'set', 'vm1', '--boot', 'local']);
    await world.server.run(['ip', 'addr', 'add', 'fd00:5e:2::1/64', 'dev', 'br0', 'nodad']);
    await world.server.run(['ip', 'tuntap', 'add', 'dev', 'tap0', 'mode', 'tap']);
    await world.server.run(['ip', 'link', 'set', 'tap0', 'master', 'br0', 'up']);
  });

  afterAll(async () => {
    await world?.destroy();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const logText = () => (fs.existsSync(path.join(home, 'log/netboot.log')) ? fs.readFileSync(path.join(home, 'log/netboot.log'), 'utf8') : '');

  function startServe(extra: string[]): ProcessHandle {
    return startProcess(['ip', 'netns', 'exec', world.server.name, `${PROJECT}bin/si`, '--home', home, 'netboot', 'serve', '--interface', 'br0', ...extra], {
      env: { SI_HOME: undefined }, stderrTailBytes: 65536,
    });
  }

  /** BIOS: QEMU's NIC ROM is itself iPXE (SeaBIOS has no PXE of its own). UEFI: OVMF's own PXE, no NIC ROM. */
  function startVm(serial: string, firmware: Firmware): ProcessHandle {
    const uefi = firmware === 'bios' ? [] : [
      '-drive', 'if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd', '-drive', `if=pflash,format=raw,file=${varsCopy()}`,
      // Booting over IPv6 (PXEv6, HTTPv6) would cost minutes (TESTING.md); with no PXE at all, OVMF goes to HTTP boot.
      '-fw_cfg', 'name=opt/org.tianocore/IPv6Support,string=no',
      ...(firmware === 'uefi-http' ? ['-fw_cfg', 'name=opt/org.tianocore/IPv4PXESupport,string=no'] : []),
    ];
    const nic = firmware === 'bios' ? `virtio-net-pci,netdev=n0,mac=${MAC}` : `virtio-net-pci,netdev=n0,mac=${MAC},romfile=,bootindex=1`;
    return startProcess(['ip', 'netns', 'exec', world.server.name, 'timeout', '300', 'qemu-system-x86_64', '-accel', 'tcg', '-cpu', 'max', '-m', '512',
      '-nographic', '-nodefaults', '-serial', `file:${serial}`, ...(firmware === 'bios' ? ['-boot', 'n'] : []), ...uefi,
      '-netdev', 'tap,id=n0,ifname=tap0,script=no,downscript=no', '-device', nic,
      // Second in the boot order, after the NIC: what a local boot must reach.
      ...(firmware === 'bios' ? [] : ['-drive', `if=none,id=d0,format=raw,snapshot=on,file=${path.join(work, 'efi-disk.raw')}`, '-device', 'virtio-blk-pci,drive=d0,bootindex=2']),
    ], { stderrTailBytes: 8192 });
  }

  function varsCopy(): string {
    const file = path.join(work, `OVMF_VARS-${Date.now()}.fd`);
    fs.copyFileSync('/usr/share/OVMF/OVMF_VARS_4M.fd', file);
    return file;
  }

  /**
   * Boots the VM until serve's log shows `chain` (in that order) and its serial console the per-MAC script's
   * local boot (with `toDisk`, under UEFI: the disk's loader), then stops both; returns the seconds from
   * power-on to the per-MAC script.
   */
  async function bootChain(serveArgs: string[], firmware: Firmware, chain: RegExp[], toDisk = false): Promise<number> {
    const before = logText().length;
    const serial = path.join(work, `serial-${firmware}-${serveArgs.length}.log`);
    const serve = startServe(serveArgs);
    let vm: ProcessHandle | undefined;
    try {
      expect(await serve.waitReady(() => serve.stderrTail().includes('serving on br0'), { timeoutMs: 60_000 }), serve.stderrTail()).toBe('ready');
      const started = Date.now();
      vm = startVm(serial, firmware);
      const done = () => chain.every((p) => p.test(logText().slice(before)));
      const seen = await waitFor(() => done() || !vm!.running(), CHAIN_BOUND_MS, 500);
      const seconds = (Date.now() - started) / 1000;
      const log = logText().slice(before);
      expect(seen && done(), `${log}\n${vm.stderrTail()}\n${readTail(serial)}`).toBe(true);
      const at = chain.map((p) => log.search(p));
      expect(at, log).toEqual([...at].sort((a, b) => a - b));
      // The script it got is the registry's answer for this host: boot the local disk (iPXE's sanboot under BIOS).
      if (firmware === 'bios') expect(await waitFor(() => readTail(serial).includes('SAN device 0x80'), 60_000, 500), readTail(serial)).toBe(true);
      if (toDisk) {
        expect(await waitFor(() => readTail(serial).includes(EFI_DISK_MARKER), DISK_BOUND_MS, 500), readTail(serial)).toBe(true);
        console.log(`UEFI (${firmware}) per-MAC script -> the disk's loader: ${((Date.now() - started) / 1000 - seconds).toFixed(1)} s`);
      }
      return seconds;
    } finally {
      await vm?.stop({ graceMs: 2000 });
      const exit = await serve.stop({ graceMs: 20_000 });
      expect(exit.exitCode, exit.stderrTail).toBe(0);
    }
  }

  const line = (proto: string, ip: string, mac: string, file: string) => new RegExp(`Z ${proto} ${ip} ${mac} ${file.replaceAll('.', '\\.')} 200 \\d+`);
  const vmIp = () => `${world.subnet.replaceAll('.', '\\.')}\\.60`;

  it('BIOS, full DHCP: the VM (its NIC ROM is iPXE) gets its static lease, then boot.ipxe and its per-MAC script over HTTP', async () => {
    const seconds = await bootChain([], 'bios', [line('HTTP', vmIp(), MAC, '/boot.ipxe'), line('HTTP', vmIp(), MAC, `/ipxe/${HYPHENS}.ipxe`)]);
    console.log(`BIOS power-on -> per-MAC iPXE script: ${seconds.toFixed(1)} s`);
  });

  // That its local boot reaches the disk under UEFI is shown by the UEFI HTTP boot below and the UEFI install test.
  it('UEFI, full DHCP: firmware PXE gets snponly.efi by TFTP, then iPXE boot.ipxe and its per-MAC script over HTTP', async () => {
    const seconds = await bootChain([], 'uefi', [line('TFTP', vmIp(), MAC, '/snponly.efi'), line('HTTP', vmIp(), MAC, '/boot.ipxe'), line('HTTP', vmIp(), MAC, `/ipxe/${HYPHENS}.ipxe`)]);
    console.log(`UEFI power-on -> per-MAC iPXE script: ${seconds.toFixed(1)} s`);
  });

  it('UEFI HTTP boot, full DHCP: the firmware loads snponly.efi over HTTP (no TFTP at all), then boot.ipxe and its per-MAC script, whose local boot reaches the disk', async () => {
    const before = logText().length;
    const seconds = await bootChain([], 'uefi-http', [line('HTTP', vmIp(), MAC, '/snponly.efi'), line('HTTP', vmIp(), MAC, '/boot.ipxe'), line('HTTP', vmIp(), MAC, `/ipxe/${HYPHENS}.ipxe`)], true);
    expect(logText().slice(before)).not.toMatch(/Z TFTP /);
    console.log(`UEFI HTTP boot power-on -> per-MAC iPXE script: ${seconds.toFixed(1)} s`);
  });

  describe("--proxy-dhcp beside the site's DHCP server (a plain dnsmasq in a third namespace)", () => {
    let siteDhcp: { stop(): Promise<void>; output(): string } | undefined;
    beforeAll(async () => {
      const site = await world.addNamespace('site');
      const conf = path.join(work, 'site-dnsmasq.conf');
      // The site's plain DHCP server: addresses only, no boot file; its pool holds no registered address.
      fs.writeFileSync(conf, ['port=0', 'interface=eth0', 'bind-interfaces', 'log-facility=-', 'pid-file=', `dhcp-leasefile=${work}/site.leases`,
        `dhcp-range=${world.subnet}.100,${world.subnet}.150,255.255.255.0,1h`, ''].join('\n'));
      siteDhcp = site.spawn(['dnsmasq', '--keep-in-foreground', `--conf-file=${conf}`, '--user=root', '--group=root']);
      expect(await waitFor(() => siteDhcp!.output().includes('started'), 30_000), siteDhcp.output()).toBe(true);
    });
    afterAll(async () => {
      await siteDhcp?.stop();
    });
    const siteIp = () => `${world.subnet.replaceAll('.', '\\.')}\\.1[0-5]\\d`;

    it('BIOS: the address from the site, boot.ipxe and the per-MAC script from us', async () => {
      const seconds = await bootChain(['--proxy-dhcp'], 'bios', [line('HTTP', siteIp(), MAC, '/boot.ipxe'), line('HTTP', siteIp(), MAC, `/ipxe/${HYPHENS}.ipxe`)]);
      console.log(`BIOS via proxyDHCP power-on -> per-MAC iPXE script: ${seconds.toFixed(1)} s`);
    });

    it('UEFI: the address from the site, snponly.efi by TFTP, boot.ipxe and the per-MAC script from us', async () => {
      const seconds = await bootChain(['--proxy-dhcp'], 'uefi', [line('TFTP', siteIp(), MAC, '/snponly.efi'), line('HTTP', siteIp(), MAC, '/boot.ipxe'), line('HTTP', siteIp(), MAC, `/ipxe/${HYPHENS}.ipxe`)]);
      console.log(`UEFI via proxyDHCP power-on -> per-MAC iPXE script: ${seconds.toFixed(1)} s`);
    });
  });
});

function readTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(-4000);
  } catch {
    return '';
  }
}

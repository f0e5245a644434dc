// A netboot lab for VM install tests: a world whose server namespace runs the real `si rsyncd --foreground`
// and `si netboot serve`, an SI_HOME holding the bootable golden image (captured by si getimage) and the
// installer (si mkinstaller), and an override tree that lets the test's ssh key in as root on installed hosts.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { capture, run, startProcess, type ProcessHandle } from '../../src/infra/run.js';
import { PROJECT, ensureBuilt, siOk } from '../support/si.js';
import { bootableImage, type BootableImage } from './bootable-image.js';
import { createWorld, type World } from './netns.js';

const INSTALLER_CACHE = process.env.SI_TEST_INSTALLER_CACHE || '/var/cache/sisuite-test/installer';
/** The override tree every lab host gets: root's authorized_keys with the lab's key. */
export const LAB_OVERRIDE = 'lab';

export interface MonitorRow {
  host: string;
  mac: string | null;
  state: 'waiting' | 'installing' | 'installed' | 'failed';
  phase: string | null;
  percent: number | null;
  bytes: number | null;
  rate: number | null;
  message: string | null;
}

export interface NetbootLab {
  readonly world: World;
  readonly home: string;
  readonly work: string;
  readonly image: BootableImage;
  /** Private key root accepts on every installed lab host. */
  readonly sshKey: string;
  /** si as the lab's user; with --json its output parsed. */
  si<T = string>(args: readonly string[]): Promise<T>;
  /** `si monitor --json --once` rows. */
  monitor(): Promise<MonitorRow[]>;
  /** Registers host with mac at `<subnet>.<hostPart>` (gateway .1) on the lab's image, with the lab's ssh-key override. */
  addHost(host: string, mac: string, hostPart: number): Promise<void>;
  /** Renders the image's scripts (after clients change). */
  render(): Promise<void>;
  /** The phases of the host's install events in the registry's history, in the order recorded (a poll of si monitor can miss a short phase). */
  installPhases(host: string): string[];
  /**
   * Polls `si monitor --json --once` every 1.5 s while the VM runs, until the host is installed or failed or
   * boundMs pass: every row it showed, and the last.
   */
  watchInstall(host: string, vm: { running(): boolean }, boundMs: number): Promise<{ seen: MonitorRow[]; last: MonitorRow | undefined }>;
  /** serve's request log so far. */
  requestLog(): string;
  startRsyncd(): Promise<void>;
  /** Stops the daemon and the transfers it is serving (its whole process group, as stopping its unit would). */
  stopRsyncd(): Promise<void>;
  /** Runs argv on an installed host over ssh, from the server namespace. */
  ssh(ip: string, argv: readonly string[], timeoutMs?: number): Promise<{ exitCode: number | null; stdout: string; stderr: string }>;
  /** The host's ed25519 host key (`type base64`) as ssh-keyscan sees it from the server namespace, once sshd answers. */
  hostKey(ip: string, timeoutMs: number): Promise<string | undefined>;
  /**
   * The same image by a plain rsync inside the installed host (the user's alternative to the installer's
   * copy), measured now; `install` is the monitor's last row (bytes and rsync's own rate). A printable line.
   */
  copyAgainstPlainRsync(ip: string, install: MonitorRow | undefined): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Builds the lab. `firmware: 'uefi'` captures the image as `golden-efi`, a golden client installed under UEFI
 * (bootableImage), so its hosts get an ESP and grub-efi. `kernelArgs` go to every client's installer (netboot settings `kernelArgs.all`) after
 * `console=ttyS0,115200n8`; `si.skip-stages=initrd` is always among them: a TCG guest needs many minutes to
 * rebuild the initramfs, and the image's own serves the host (TESTING.md). `serveArgs` go to `si netboot serve`
 * after `--interface br0` (e.g. `--dhcp-range A,B`, `--proxy-dhcp`); a function gets the world (its subnet).
 */
export async function startNetbootLab({
  prefix,
  kernelArgs = [],
  serveArgs = [],
  firmware = 'bios',
}: {
  prefix: string;
  kernelArgs?: string[];
  serveArgs?: string[] | ((world: World) => string[]);
  firmware?: 'bios' | 'uefi';
}): Promise<NetbootLab> {
  await ensureBuilt();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `si-lab-${prefix}-`));
  const home = path.join(work, 'home');
  let world: World | undefined;
  let rsyncd: ProcessHandle | undefined;
  let serve: ProcessHandle | undefined;
  const stopAll = async () => {
    await serve?.stop({ graceMs: 20_000 });
    await rsyncd?.stop({ graceMs: 10_000 });
    await world?.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  };
  try {
    const image = await bootableImage({ siHome: home, ...(firmware === 'uefi' ? { name: 'golden-efi', firmware } : {}) });
    world = await createWorld({ prefix });
    const w = world;
    // Router advertisements need an IPv6 address on the bridge; without them iPXE waits ~13 s for IPv6.
    await w.server.run(['ip', 'addr', 'add', 'fd00:5e:3::1/64', 'dev', 'br0', 'nodad']);
    await siOk(home, ['mkinstaller', '--cache', INSTALLER_CACHE]);

    const sshKey = path.join(work, 'id_ed25519');
    await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'sisuite-lab', '-f', sshKey]);
    const dotSsh = path.join(home, 'overrides', LAB_OVERRIDE, 'root/.ssh');
    fs.mkdirSync(dotSsh, { recursive: true, mode: 0o700 });
    fs.chmodSync(dotSsh, 0o700);
    fs.copyFileSync(`${sshKey}.pub`, path.join(dotSsh, 'authorized_keys'));
    fs.chmodSync(path.join(dotSsh, 'authorized_keys'), 0o600);

    const settings = { server: `${w.subnet}.1`, timeoutSeconds: 1, kernelArgs: { all: ['console=ttyS0,115200n8', 'si.skip-stages=initrd', ...kernelArgs] } };
    fs.writeFileSync(path.join(home, 'netboot.json'), `${JSON.stringify(settings, null, 2)}\n`);

    const inServer = (argv: string[]) => ['ip', 'netns', 'exec', w.server.name, `${PROJECT}bin/si`, '--home', home, ...argv];
    const startRsyncd = async () => {
      rsyncd = startProcess(inServer(['rsyncd', '--foreground', '--address', `${w.subnet}.1`]), { env: { SI_HOME: undefined }, stderrTailBytes: 65536, group: true });
      const listsModules = async () => (await capture(['ip', 'netns', 'exec', w.server.name, 'rsync', `rsync://${w.subnet}.1/`], { timeout: 30_000 })).stdout.includes('scripts');
      if ((await rsyncd.waitReady(listsModules, { timeoutMs: 60_000, intervalMs: 500 })) !== 'ready') throw new Error(`si rsyncd did not start: ${rsyncd.stderrTail()}`);
    };
    await startRsyncd();
    serve = startProcess(inServer(['netboot', 'serve', '--interface', 'br0', ...(typeof serveArgs === 'function' ? serveArgs(w) : serveArgs)]), { env: { SI_HOME: undefined }, stderrTailBytes: 65536 });
    if ((await serve.waitReady(() => serve!.stderrTail().includes('serving on br0'), { timeoutMs: 60_000 })) !== 'ready') {
      throw new Error(`si netboot serve did not start: ${serve.stderrTail()}`);
    }

    const logFile = path.join(home, 'log/netboot.log');
    const lab: NetbootLab = {
      world: w,
      home,
      work,
      image,
      sshKey,
      si: <T = string>(args: readonly string[]) => siOk<T>(home, args),
      monitor: () => siOk<MonitorRow[]>(home, ['monitor', '--json', '--once']),
      addHost: async (host, mac, hostPart) => {
        const csv = path.join(work, `macs-${host}.csv`);
        fs.writeFileSync(csv, `${host},${mac}\n`);
        await siOk(home, ['addclients', '--hosts', host, '--ip', `${w.subnet}.${hostPart}`, '--gateway', `${w.subnet}.1`, '--image', image.name, '--macs', csv]);
        await siOk(home, ['client', 'set', host, '--overrides', LAB_OVERRIDE]);
      },
      render: async () => {
        await siOk(home, ['mkautoinstallscript', '--image', image.name]);
      },
      installPhases: (host) => {
        const db = new Database(path.join(home, 'sisuite.db'), { readonly: true });
        try {
          return (db.prepare('SELECT phase FROM install_events WHERE host = ? ORDER BY id').all(host) as { phase: string }[]).map((row) => row.phase);
        } finally {
          db.close();
        }
      },
      watchInstall: async (host, vm, boundMs) => {
        const seen: MonitorRow[] = [];
        const deadline = Date.now() + boundMs;
        let last: MonitorRow | undefined;
        while (Date.now() < deadline && vm.running()) {
          last = (await siOk<MonitorRow[]>(home, ['monitor', '--json', '--once'])).find((row) => row.host === host);
          if (last) seen.push(last);
          if (last && (last.state === 'installed' || last.state === 'failed')) break;
          await new Promise((resolve) => setTimeout(resolve, 1500));
        }
        return { seen, last };
      },
      requestLog: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
      startRsyncd,
      stopRsyncd: async () => {
        await rsyncd?.stop({ graceMs: 10_000 });
        rsyncd = undefined;
      },
      ssh: (ip, argv, timeoutMs = 300_000) =>
        capture(
          ['ip', 'netns', 'exec', w.server.name, 'ssh', '-i', sshKey, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=10', `root@${ip}`, ...argv],
          { timeout: timeoutMs },
        ),
      hostKey: async (ip, timeoutMs) => {
        let key: string | undefined;
        const deadline = Date.now() + timeoutMs;
        while (key === undefined && Date.now() < deadline) {
          const scan = await capture(['ip', 'netns', 'exec', w.server.name, 'ssh-keyscan', '-T', '5', '-t', 'ed25519', ip], { timeout: 30_000 });
          key = /ssh-ed25519 (\S+)/.exec(scan.stdout)?.[0];
          if (key === undefined) await new Promise((resolve) => setTimeout(resolve, 2000));
        }
        return key;
      },
      copyAgainstPlainRsync: async (ip, install) => {
        const started = Date.now();
        const plain = await lab.ssh(ip, ['rsync', '-aHAX', '--numeric-ids', `rsync://${w.subnet}.1/${image.name}/`, '/var/tmp/plain/'], 900_000);
        const seconds = (Date.now() - started) / 1000;
        if (plain.exitCode !== 0) throw new Error(`plain rsync in ${ip} failed: ${plain.stderr}`);
        const rate = install?.rate ?? 0;
        const plainRate = (install?.bytes ?? 0) / seconds;
        const mb = (bytesPerSecond: number) => (bytesPerSecond / 1e6).toFixed(1);
        return `copy rate ${mb(rate)} MB/s (rsync's own figure), plain rsync in the same VM ${mb(plainRate)} MB/s (${seconds.toFixed(1)} s), ratio ${(rate / plainRate).toFixed(2)}`;
      },
      stop: stopAll,
    };
    return lab;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

import fs from 'node:fs';
import type { MenuOptions } from '../../core/netboot/boot-menu.js';
import { planNetboot, type NetbootSettings } from '../../core/netboot/index.js';
import { planDhcpHostsFile } from '../../core/netboot/serve-plan.js';
import type { ClientRecord } from '../../core/clients/client-record.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { Renderer } from '../templates.js';
import { listOverlays, netbootRoots, renderNetbootFiles, writeNetbootFiles } from './netboot-files.js';
import { abortableDelay } from '../process/abortable-delay.js';

export interface RenderServeFilesOptions {
  clients: readonly ClientRecord[];
  renderer: Renderer;
  /** $SI_HOME: the files go to tftpboot/ and netboot/ under it, as `si netboot config` writes them. */
  home: string;
  settings: NetbootSettings & { server: string };
  flavor: string;
  hostsFile: string;
}

export interface RenderedServeFiles {
  menu: MenuOptions;
  clients: number;
  /** Whether the dhcp-hostsfile changed (then dnsmasq must re-read it). */
  hostsChanged: boolean;
}

/**
 * Renders what the boot server serves from files, from the registry as it is now: every file of `si netboot
 * config` (PXELINUX and GRUB-EFI read them over TFTP) and the dhcp-hostsfile. The iPXE scripts are answered
 * per request, so they never lag.
 */
export function renderServeFiles(options: RenderServeFilesOptions): RenderedServeFiles {
  const { settings, home } = options;
  const roots = netbootRoots(home);
  const { clients } = options;
  const menu: MenuOptions = { settings, server: settings.server, flavor: options.flavor, overlays: listOverlays(settings, roots.tftpboot) };
  const files = planNetboot({ ...menu, clients, tftpRoot: roots.tftpboot });
  writeNetbootFiles(renderNetbootFiles(files, options.renderer, roots), home);
  const hosts = planDhcpHostsFile(clients);
  const hostsChanged = readOrNull(options.hostsFile) !== hosts;
  if (hostsChanged) writeFileAtomic(options.hostsFile, hosts, { createParent: true });
  return { menu, clients: clients.length, hostsChanged };
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

export interface WatchRegistryOptions {
  /** SQLite's data_version on one long-lived connection: it changes when another process commits. */
  changeMark: () => number;
  reload: () => void;
  signal: AbortSignal;
  /** Resolves when watching must end for another reason (dnsmasq exited). */
  until: Promise<unknown>;
  pollMs: number;
  onError: (error: Error) => void;
}

/** Polls the registry every pollMs until signal aborts or `until` settles; each change calls reload once. */
export async function watchRegistry(options: WatchRegistryOptions): Promise<void> {
  let mark = options.changeMark();
  let over = false;
  void options.until.then(() => (over = true), () => (over = true));
  while (!over && !options.signal.aborted) {
    await Promise.race([abortableDelay(options.pollMs, options.signal), options.until]);
    if (over || options.signal.aborted) return;
    try {
      const now = options.changeMark();
      if (now === mark) continue;
      mark = now;
      options.reload();
    } catch (error) {
      options.onError(error as Error);
    }
  }
}

import type { ClientRecord } from '../clients/client-record.js';
import { decideBoot, type BootChoice } from './boot-decision.js';
import { mergeKernelArgs } from './kernel-args.js';
import type { BootEntry, NetbootSettings } from './settings.js';

export interface BootModule {
  /** Relative to the boot root. */
  path: string;
  /** The module's own command line (multiboot), e.g. `type=file name=etc/system` for an overlay file. */
  args: string;
}

export interface MenuEntry {
  name: string;
  label: string;
  multiboot: boolean;
  kernel: string;
  args: string;
  modules: BootModule[];
}

/** One client's boot menu, the same for every loader; each template renders it in its own syntax. */
export interface BootMenu {
  host: string;
  image: string;
  choice: BootChoice;
  timeoutSeconds: number;
  install: { kernel: string; initrd: string; args: string[] };
  entries: MenuEntry[];
}

export interface MenuOptions {
  settings: NetbootSettings;
  server: string;
  flavor: string;
  /** Files under each entry's overlay folder (relative to that folder, sorted), listed by the applier. */
  overlays: Readonly<Record<string, readonly string[]>>;
}

export function httpBase(server: string, port: number): string {
  return port === 80 ? `http://${server}` : `http://${server}:${port}`;
}

function appliesTo(entry: BootEntry, client: ClientRecord): boolean {
  if (!entry.hosts && !entry.groups) return true;
  return Boolean(entry.hosts?.includes(client.hostname) || entry.groups?.some((g) => client.groups.includes(g)));
}

function menuEntry(entry: BootEntry, overlay: readonly string[]): MenuEntry {
  const multiboot = entry.type === 'multiboot';
  const overlayModules = overlay.map((file) => ({
    path: `${entry.overlay}/${file}`,
    // The seed's boot server: an overlay file lands in the booted system at its path under the folder.
    args: multiboot ? `type=file name=${file}` : '',
  }));
  return {
    name: entry.name,
    label: entry.label,
    multiboot,
    kernel: entry.kernel,
    args: entry.args.join(' '),
    modules: [...entry.modules.map((path) => ({ path, args: '' })), ...overlayModules],
  };
}

/** The installer's kernel command line for a client: si.* parameters first, then the merged site arguments. */
export function installerArgs(client: ClientRecord, options: MenuOptions): string[] {
  const { settings, server } = options;
  const defaults = [
    `si.server=${server}`,
    `si.image=${client.image}`,
    `si.host=${client.hostname}`,
    `si.monitor=${httpBase(server, settings.httpPort)}/events`,
  ];
  const groups = client.groups.map((g) => settings.kernelArgs.groups[g] ?? []);
  return mergeKernelArgs(defaults, settings.kernelArgs.all, ...groups, settings.kernelArgs.hosts[client.hostname] ?? []);
}

export function planBootMenu(client: ClientRecord, options: MenuOptions): BootMenu {
  const dir = `boot/x86_64/${options.flavor}`;
  return {
    host: client.hostname,
    image: client.image,
    choice: decideBoot(client),
    timeoutSeconds: options.settings.timeoutSeconds,
    install: { kernel: `${dir}/kernel`, initrd: `${dir}/initrd.img`, args: installerArgs(client, options) },
    entries: options.settings.entries
      .filter((e) => appliesTo(e, client))
      .map((e) => menuEntry(e, e.overlay ? (options.overlays[e.name] ?? []) : [])),
  };
}

import { UserError } from '../errors.js';

export const BOOT_MODES = ['install', 'local'] as const;
export type BootMode = (typeof BOOT_MODES)[number];

export const INSTALL_STATES = ['new', 'installing', 'installed', 'failed'] as const;
export type InstallState = (typeof INSTALL_STATES)[number];

/** One client in the registry. Addresses are dotted quads; MACs are lower-case colon form. */
export interface ClientRecord {
  hostname: string;
  /** DNS domain without a leading dot, or null. */
  domain: string | null;
  ip: string;
  /** Dotted form (255.255.255.0): what ifupdown and ifcfg want; netplan's prefix comes from parseNetmask. */
  netmask: string;
  gateway: string | null;
  dns: string[];
  macs: string[];
  image: string;
  groups: string[];
  /** Override trees (overrides/<name>/) applied after the image, after the groups' ones. */
  overrides: string[];
  /** What the netboot entry does: run the installer, or boot the local disk. */
  bootMode: BootMode;
  installState: InstallState;
  /**
   * Waiting to be discovered (`si client set --discover`): the first unknown MAC that netboots is bound to
   * it (docs/netboot.md, Discovery). Only a host without MACs waits. Absent means false.
   */
  discover?: boolean;
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Normalises a DNS domain (lower case, no trailing dot) or refuses it. */
export function normalizeDomain(text: string): string {
  const d = text.trim().toLowerCase().replace(/\.$/, '');
  if (d.length <= 253 && d.split('.').every((label) => LABEL.test(label))) return d;
  throw new UserError(
    `${JSON.stringify(text)} is not a DNS domain; use dot-separated labels of a-z, 0-9 and '-', e.g. cluster.example.org`,
  );
}

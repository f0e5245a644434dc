import { z } from 'zod';
import { UserError } from '../errors.js';
import { checkName } from '../names.js';
import { BOOT_MAC_TOKEN } from './boot-mac.js';
import { STAGES, type StageName } from './stages.js';

/**
 * What the configurator needs to know about one host. The client registry maps its clients onto
 * this; `si configure` reads it from the registry (or a JSON file in tests).
 */
export interface HostConfig {
  /** Short host name, checked with checkName('host'). */
  hostname: string;
  /** DNS domain; the FQDN is `hostname.domain`. */
  domain?: string;
  /** Network interfaces, matched by MAC address on the installed machine. */
  interfaces: InterfaceConfig[];
  /** IANA time zone, e.g. `Europe/Berlin`. */
  timezone?: string;
  /** Keyboard layout, e.g. `de` (XKB layout and console keymap). */
  keymap?: string;
  /** Whole disk the BIOS bootloader goes to, e.g. `/dev/sda`. */
  bootDisk?: string;
  /** Filesystems for /etc/fstab, with the UUIDs the install created. */
  filesystems: FilesystemConfig[];
  /** Stages to run; all when absent. */
  stages?: StageName[];
}

export interface InterfaceConfig {
  /** Lower-case colon form, or BOOT_MAC_TOKEN: the interface the host boots from (a host without a MAC). */
  mac: string;
  /** Interface name; stacks that need a name use `nic<index>` when absent. */
  name?: string;
  /** DHCP (true) or static (ip + prefix). */
  dhcp?: boolean;
  ip?: string;
  prefix?: number;
  gateway?: string;
  dns?: string[];
}

export interface FilesystemConfig {
  uuid: string;
  mountpoint: string;
  fstype: string;
  options: string;
  dump: number;
  pass: number;
}

const MAC = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/;
const ipv4 = z.string().regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, 'an IPv4 address');
const dnsServer = z.string().regex(/^[0-9a-fA-F:.]+$/, 'an IP address');
// One word per path segment: these values end up in config files and shell scripts.
const safeWord = z.string().regex(/^[A-Za-z0-9_+.:=,-]+$/, 'letters, digits and _+.:=,-');

const interfaceSchema = z
  .object({
    mac: z
      .string()
      .refine((mac) => mac === BOOT_MAC_TOKEN || MAC.test(mac), `a MAC address like 52:54:00:12:34:56 (or ${BOOT_MAC_TOKEN}: the one it boots from)`)
      .transform((mac) => (mac === BOOT_MAC_TOKEN ? mac : mac.toLowerCase().replaceAll('-', ':'))),
    name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_.-]{0,14}$/, 'an interface name (1-15 characters)').optional(),
    dhcp: z.boolean().optional(),
    ip: ipv4.optional(),
    prefix: z.number().int().min(1).max(32).optional(),
    gateway: ipv4.optional(),
    dns: z.array(dnsServer).optional(),
  })
  .refine((nic) => (nic.dhcp === true) !== (nic.ip !== undefined), 'set either dhcp: true or ip (with prefix)')
  .refine((nic) => nic.ip === undefined || nic.prefix !== undefined, 'a static ip needs a prefix');

const filesystemSchema = z.object({
  uuid: z.string().regex(/^[0-9a-fA-F-]{4,36}$/, 'a filesystem UUID'),
  mountpoint: z.string().regex(/^(\/[A-Za-z0-9_.+-]*)+$|^none$/, 'an absolute mount point or none'),
  fstype: safeWord,
  options: safeWord,
  dump: z.number().int().min(0).max(1),
  pass: z.number().int().min(0).max(2),
});

const hostSchema = z.object({
  hostname: z.string(),
  domain: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, 'a DNS domain').optional(),
  interfaces: z.array(interfaceSchema),
  timezone: z.string().regex(/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/, 'a time zone like Europe/Berlin').optional(),
  keymap: z.string().regex(/^[A-Za-z0-9_-]+$/, 'a keymap like de').optional(),
  bootDisk: z.string().regex(/^\/dev\/[A-Za-z0-9_./-]+$/, 'a disk device like /dev/sda').optional(),
  filesystems: z.array(filesystemSchema),
  stages: z.array(z.enum(STAGES)).optional(),
});

/** Validates a host configuration at the edge; throws a one-line UserError naming the bad field. */
export function checkHostConfig(input: unknown): HostConfig {
  const parsed = hostSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'host';
    const hostname = (input as { hostname?: unknown } | null)?.hostname;
    throw new UserError(`invalid host configuration: ${where}: ${issue?.message ?? 'invalid'}${typeof hostname === 'string' ? ` (host ${hostname})` : ''}`);
  }
  checkName('host', parsed.data.hostname);
  const names = parsed.data.interfaces.map((nic, index) => nic.name ?? `nic${index}`);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new UserError(`invalid host configuration: interface name ${duplicate} is used twice`);
  if (parsed.data.interfaces.filter((nic) => nic.mac === BOOT_MAC_TOKEN).length > 1) {
    throw new UserError(`invalid host configuration: only one interface can be the one it boots from (${BOOT_MAC_TOKEN})`);
  }
  return parsed.data;
}

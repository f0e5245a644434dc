import { UserError } from '../errors.js';
import { checkName } from '../names.js';
import { BOOT_MODES, INSTALL_STATES, type BootMode, type ClientRecord, type InstallState } from './client-record.js';
import { allocateAddresses } from './ipv4.js';
import { normalizeMac } from './mac.js';
import { checkClient, checkOverrideName, findHolderClashes, refuseAll, type KnownNames } from './validate-client.js';

/** `si client set` options as typed: strings, comma lists inside; "" clears gateway, domain, DNS and MACs. */
export interface ClientSetOptions {
  image?: string | undefined;
  groups?: string | undefined;
  overrides?: string | undefined;
  boot?: string | undefined;
  state?: string | undefined;
  gateway?: string | undefined;
  dns?: string | undefined;
  domain?: string | undefined;
  ip?: string | undefined;
  netmask?: string | undefined;
  macs?: string | undefined;
  /** --discover (true) / --no-discover (false): wait for the first unknown MAC to netboot, or stop waiting. */
  discover?: boolean | undefined;
}

/** The fields a `client set` replaces; absent ones stay as they are. */
export interface ClientChange {
  image?: string;
  groups?: string[];
  overrides?: string[];
  bootMode?: BootMode;
  installState?: InstallState;
  gateway?: string | null;
  dns?: string[];
  domain?: string | null;
  /** The first selected host's new address; the others follow it, as with addclients. */
  ip?: string;
  netmask?: string;
  macs?: string[];
  discover?: boolean;
}

const OPTION_NAMES = ['image', 'groups', 'overrides', 'boot', 'state', 'gateway', 'dns', 'domain', 'ip', 'netmask', 'macs', 'discover'] as const;

/** Reads the options into a change; refuses an empty one (a `set` that changes nothing is a mistake). */
export function parseClientChange(options: ClientSetOptions): ClientChange {
  if (OPTION_NAMES.every((name) => options[name] === undefined)) {
    throw new UserError(`nothing to change: give at least one of ${OPTION_NAMES.map((n) => `--${n}`).join(', ')}`);
  }
  const change: ClientChange = {};
  if (options.image !== undefined) change.image = checkName('image', options.image);
  if (options.groups !== undefined) change.groups = list(options.groups).map((g) => checkName('group', g));
  if (options.overrides !== undefined) change.overrides = list(options.overrides).map(checkOverrideName);
  if (options.boot !== undefined) change.bootMode = pick(options.boot, BOOT_MODES, '--boot');
  if (options.state !== undefined) change.installState = pick(options.state, INSTALL_STATES, '--state');
  if (options.gateway !== undefined) change.gateway = options.gateway.trim() === '' ? null : options.gateway.trim();
  if (options.dns !== undefined) change.dns = list(options.dns);
  if (options.domain !== undefined) change.domain = options.domain.trim() === '' ? null : options.domain;
  if (options.ip !== undefined) change.ip = options.ip.trim();
  if (options.netmask !== undefined) change.netmask = options.netmask.trim();
  if (options.macs !== undefined) change.macs = list(options.macs).map(normalizeMac);
  if (options.discover !== undefined) change.discover = options.discover;
  return change;
}

export interface ClientSetPlan {
  changed: ClientRecord[];
  unchanged: ClientRecord[];
}

/**
 * Plans `si client set` over the selected clients: each result goes through the client validator, and an IP
 * or MAC another host holds is refused naming the holder. New addresses are counted up from --ip in range order.
 */
export function planClientSet({
  selected,
  change,
  all,
  known,
}: {
  selected: readonly ClientRecord[];
  change: ClientChange;
  all: readonly ClientRecord[];
  known: KnownNames;
}): ClientSetPlan {
  const first = selected[0];
  if (first === undefined) return { changed: [], unchanged: [] };
  if (change.macs !== undefined && selected.length > 1) {
    throw new UserError(`--macs gives the MACs of one host, but the range names ${selected.length}; set them host by host, or use si client import`);
  }
  const ips =
    change.ip === undefined ? undefined : allocateAddresses({ first: change.ip, count: selected.length, netmask: change.netmask ?? first.netmask });
  const plan: ClientSetPlan = { changed: [], unchanged: [] };
  selected.forEach((client, i) => {
    const { ip: _ip, ...fields } = change;
    const wanted = checkClient({ ...client, ...fields, ...(ips && { ip: ips[i] as string }) }, known);
    if (JSON.stringify(wanted) === JSON.stringify(client)) plan.unchanged.push(client);
    else plan.changed.push(wanted);
  });
  const changedHosts = new Set(plan.changed.map((c) => c.hostname));
  const after = all.map((c) => (changedHosts.has(c.hostname) ? (plan.changed.find((w) => w.hostname === c.hostname) as ClientRecord) : c));
  refuseAll(findHolderClashes(after, changedHosts));
  return plan;
}

function list(text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter(Boolean);
}

function pick<T extends string>(value: string, allowed: readonly T[], option: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UserError(`invalid ${option} ${JSON.stringify(value)}: use ${allowed.join(' or ')}`);
}

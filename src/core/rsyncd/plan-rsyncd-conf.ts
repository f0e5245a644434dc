import path from 'node:path';
import { UserError } from '../errors.js';
import { imageLink, type HomePaths } from '../home.js';
import { checkExistingName, RESERVED_IMAGE_NAMES } from '../names.js';
import { isIPv4 } from '../clients/ipv4.js';
import { reportPaths } from '../reports/parse-report.js';

/** Modules served beside the images; an image cannot take one of these names. */
export const RESERVED_MODULES = ['scripts', 'overrides', 'boot', 'reports'] as const;

/**
 * The write-only module installers upload their reports to (docs/rsyncd.md): plain files only (every
 * option but --timeout refused: no links, devices, directories, times or permissions), kept 0600, nothing
 * readable or listable. It is the one module written to, so it alone overrides the global `read only`.
 */
const REPORTS_SETTINGS = [
  ['read only', 'no'],
  ['write only', 'yes'],
  ['list', 'no'],
  ['refuse options', '* !timeout'],
  ['incoming chmod', 'D0700,F0600'],
] as const;

/**
 * Always in `hosts allow`, also before any client exists: the server itself (a local `si` or a
 * secondary image server tunnelled over ssh). With no clients the daemon thus refuses every other
 * host; that is the safe default until `si addclients` says which networks install from it.
 */
export const LOCALHOST = ['127.0.0.1', '::1'] as const;

/** Seconds of I/O silence after which the daemon drops a client (rsyncd.conf(5) suggests 600). */
export const DEFAULT_TIMEOUT = 600;

/** 0 = unlimited: a cluster installs hundreds of nodes at once and the network, not a count, is the limit. */
export const DEFAULT_MAX_CONNECTIONS = 0;

/** The daemon's files under SI_HOME. */
export interface RsyncdPaths {
  conf: string;
  log: string;
  /** Used by `max connections`; kept in SI_HOME rather than /var/run. */
  lock: string;
}

export function rsyncdPaths(paths: HomePaths): RsyncdPaths {
  return {
    conf: path.join(paths.home, 'rsyncd.conf'),
    log: path.join(paths.home, 'log', 'rsyncd.log'),
    lock: path.join(paths.home, 'rsyncd.lock'),
  };
}

export interface RsyncdModule {
  name: string;
  path: string;
  comment: string;
  /** Module parameters beyond the global defaults, as `key = value` lines. */
  settings: { key: string; value: string }[];
}

/** The context of templates/rsyncd/rsyncd.conf.hbs. Values are already escaped for rsyncd.conf. */
export interface RsyncdConfContext {
  address: string | null;
  port: number | null;
  logFile: string;
  lockFile: string;
  hostsAllow: string[];
  timeout: number;
  maxConnections: number;
  /** Per-file log lines: off, an install of a 10,000-file image would write 10,000 lines per client. */
  transferLogging: 'yes' | 'no';
  modules: RsyncdModule[];
}

export interface PlanRsyncdConfOptions {
  paths: HomePaths;
  /** Images with a current version (images/NAME exists). */
  images: readonly string[];
  /** Each image's current version: the module's comment names it, for si-updateclient (docs/updates.md). */
  versions?: Readonly<Record<string, number>>;
  /** CIDR networks of the clients (networksOfClients). */
  networks: readonly string[];
  address?: string;
  port?: number;
  timeout?: number;
  maxConnections?: number;
  transferLogging?: boolean;
  /** Owner of the uploaded reports: the user and group si runs as, so that si reads and removes them. Default 0 (root). */
  reportsUid?: number;
  reportsGid?: number;
}

export function planRsyncdConf(options: PlanRsyncdConfOptions): RsyncdConfContext {
  const { paths } = options;
  const files = rsyncdPaths(paths);
  const images = [...new Set(options.images)].sort();
  for (const image of images) {
    checkExistingName('image', image);
    if (RESERVED_IMAGE_NAMES.includes(image)) {
      throw new UserError(`image ${image} has a name the image server reserves: rename it with 'si image mv ${image} NEWNAME'`);
    }
  }
  const owner = [
    ['uid', String(checkCount('reports uid', options.reportsUid ?? 0))],
    ['gid', String(checkCount('reports gid', options.reportsGid ?? 0))],
  ] as const;
  const modules: Omit<RsyncdModule, 'settings'>[] = [
    ...images.map((name) => ({ name, path: imageLink(paths, name), comment: `sisuite image ${name}${options.versions?.[name] ? ` version ${options.versions[name]}` : ''}` })),
    { name: 'scripts', path: paths.scripts, comment: 'sisuite autoinstall scripts' },
    { name: 'overrides', path: paths.overrides, comment: 'sisuite override trees' },
    { name: 'boot', path: paths.boot, comment: 'sisuite installer kernels and initrds' },
    { name: 'reports', path: reportPaths(paths).incoming, comment: 'sisuite install reports (write only)' },
  ];
  const settingsOf = (name: string) => (name === 'reports' ? [...owner, ...REPORTS_SETTINGS].map(([key, value]) => ({ key, value })) : []);
  return {
    address: options.address === undefined ? null : checkAddress(options.address),
    port: options.port === undefined ? null : checkPort(options.port),
    logFile: confValue(files.log),
    lockFile: confValue(files.lock),
    hostsAllow: [...LOCALHOST, ...options.networks.map(checkNetwork)],
    timeout: checkCount('timeout', options.timeout ?? DEFAULT_TIMEOUT),
    maxConnections: checkCount('max connections', options.maxConnections ?? DEFAULT_MAX_CONNECTIONS),
    transferLogging: options.transferLogging ? 'yes' : 'no',
    modules: modules.map((m) => ({ ...m, path: confValue(m.path), settings: settingsOf(m.name) })),
  };
}

/**
 * rsyncd.conf is line based, trims values and expands %VAR% in string values: a path is refused if it
 * holds a line break or outer blanks, and its '%' are doubled.
 */
function confValue(value: string): string {
  if (/[\r\n]/.test(value) || value.trim() !== value) {
    throw new UserError(`path ${JSON.stringify(value)} cannot be written to rsyncd.conf: move SI_HOME to a path without line breaks or outer blanks`);
  }
  return value.replaceAll('%', '%%');
}

function checkAddress(address: string): string {
  if (isIPv4(address) || (/^[0-9a-f:.]+$/i.test(address) && address.includes(':'))) return address;
  throw new UserError(`--address ${JSON.stringify(address)} is not an IP address: give one of this server's addresses, e.g. 10.0.0.1`);
}

function checkPort(port: number): number {
  if (Number.isInteger(port) && port >= 1 && port <= 65535) return port;
  throw new UserError(`--port ${port} is not a TCP port: give a number from 1 to 65535 (the rsync default is 873)`);
}

function checkCount(what: string, value: number): number {
  if (Number.isInteger(value) && value >= 0) return value;
  throw new UserError(`rsync daemon ${what} ${value} must be a whole number, 0 or more`);
}

function checkNetwork(cidr: string): string {
  const [ip, prefix, extra] = cidr.split('/');
  if (ip !== undefined && isIPv4(ip) && extra === undefined && prefix !== undefined && /^\d{1,2}$/.test(prefix) && Number(prefix) <= 32) return cidr;
  throw new UserError(`client network ${JSON.stringify(cidr)} is not an IPv4 CIDR such as 10.0.0.0/24: fix the client's ip and netmask`);
}

import path from 'node:path';
import { UserError } from '../errors.js';
import { checkExistingName } from '../names.js';
import { MODULES, PROGRAM_LINKS, PROGRAMS, TOOL_PACKAGES } from './contents.js';

/** Where the kernel comes from: Debian's linux-image-amd64, or an image's own kernel and modules. */
export type KernelSource = { kind: 'debian' } | { kind: 'image'; image: string };

export interface InstallerPlan {
  arch: 'x86_64';
  /** The folder name under boot/x86_64: `debian`, or `image-NAME`. */
  flavor: string;
  kernel: KernelSource;
  /** Relative to the home: boot/x86_64/<flavor>. */
  outputDir: string;
  packages: string[];
  programs: string[];
  links: Record<string, string>;
  modules: string[];
  /** Every file's mtime in the archive: fixed, so that the same inputs give the same bytes. */
  sourceDateEpoch: number;
}

/** 2000-01-01T00:00:00Z: any fixed time serves; SOURCE_DATE_EPOCH overrides it. */
export const DEFAULT_EPOCH = 946_684_800;

/** `--kernel debian` (default) or `--kernel image:NAME`. */
export function parseKernelOption(value: string | undefined): KernelSource {
  if (value === undefined || value === 'debian') return { kind: 'debian' };
  if (value.startsWith('image:')) {
    const image = value.slice('image:'.length);
    checkExistingName('image', image);
    return { kind: 'image', image };
  }
  throw new UserError(`invalid --kernel ${JSON.stringify(value)}: give debian or image:NAME`);
}

export function parseEpoch(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_EPOCH;
  if (!/^\d{1,12}$/.test(value)) throw new UserError(`invalid SOURCE_DATE_EPOCH ${JSON.stringify(value)}: give seconds since 1970, e.g. ${DEFAULT_EPOCH}`);
  return Number(value);
}

export function flavorOf(kernel: KernelSource): string {
  return kernel.kind === 'debian' ? 'debian' : `image-${kernel.image}`;
}

export function planInstaller(options: { kernel: KernelSource; sourceDateEpoch?: number }): InstallerPlan {
  const flavor = flavorOf(options.kernel);
  return {
    arch: 'x86_64',
    flavor,
    kernel: options.kernel,
    outputDir: path.join('boot', 'x86_64', flavor),
    packages: [...TOOL_PACKAGES],
    programs: [...PROGRAMS],
    links: { ...PROGRAM_LINKS },
    modules: [...MODULES],
    sourceDateEpoch: options.sourceDateEpoch ?? DEFAULT_EPOCH,
  };
}

/** The kernel package `linux-image-amd64` depends on, from `apt-cache depends linux-image-amd64`. */
export function kernelPackageOf(dependsOutput: string): { package: string; kver: string } {
  const match = /^\s+Depends: (linux-image-(\d[^\s]*))$/m.exec(dependsOutput);
  if (!match?.[1] || !match[2]) throw new UserError("no kernel package behind linux-image-amd64 in this machine's apt lists: run apt-get update");
  return { package: match[1], kver: match[2] };
}

export interface PackageVersion {
  name: string;
  version: string;
  arch: string;
}

/** Stanzas of `apt-cache show --no-all-versions`: the candidate of each package. */
export function parseAptShow(text: string): PackageVersion[] {
  return text.split(/\n\s*\n/).flatMap((stanza) => {
    const field = (name: string) => new RegExp(`^${name}: (.+)$`, 'm').exec(stanza)?.[1]?.trim();
    const name = field('Package');
    const version = field('Version');
    const arch = field('Architecture');
    return name && version && arch ? [{ name, version, arch }] : [];
  });
}

/** The file name `apt-get download` gives a package (the epoch's colon escaped). */
export function debFileName(p: PackageVersion): string {
  return `${p.name}_${p.version.replace(/:/g, '%3a')}_${p.arch}.deb`;
}

/** `apt-cache depends` output: each package's Depends and PreDepends (first of alternatives, no virtuals). */
export function parseAptDepends(text: string): Map<string, string[]> {
  const result = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) {
      current = [];
      result.set(line.trim(), current);
      continue;
    }
    const dep = /^\s+\|?(?:Pre)?Depends: ([^\s<>]+)/.exec(line);
    if (dep?.[1] && current) current.push(dep[1].replace(/:any$/, ''));
  }
  return result;
}

/** Module files from `modprobe --show-depends` (`insmod PATH [options]`; builtins need nothing), in load order. */
export function parseShowDepends(text: string, root: string): string[] {
  const files: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^insmod (\S+)/.exec(line.trim());
    if (!match?.[1]) continue;
    const file = path.relative(root, match[1]);
    if (file.startsWith('..')) continue;
    if (!files.includes(file)) files.push(file);
  }
  return files;
}

/**
 * The kernel inside an image: the newest /boot/vmlinuz-VERSION that has its modules, else what /vmlinuz
 * points to. `entries` are the image's boot/ names; `hasModules(kver)` says whether lib/modules/KVER exists.
 */
export function chooseImageKernel(bootEntries: readonly string[], vmlinuzTarget: string | undefined, hasModules: (kver: string) => boolean): { kernel: string; kver: string } | undefined {
  const versions = bootEntries
    .filter((name) => /^vmlinuz-\d/.test(name) && !name.endsWith('.old') && !name.endsWith('.bak'))
    .map((name) => name.slice('vmlinuz-'.length))
    .filter(hasModules)
    .sort(compareVersions);
  const newest = versions.at(-1);
  if (newest) return { kernel: `boot/vmlinuz-${newest}`, kver: newest };
  const target = vmlinuzTarget ? path.basename(vmlinuzTarget) : undefined;
  if (target && /^vmlinuz-\d/.test(target)) {
    const kver = target.slice('vmlinuz-'.length);
    if (hasModules(kver)) return { kernel: path.posix.join('boot', target), kver };
  }
  return undefined;
}

/** Numeric-aware comparison: 6.1.0-10 after 6.1.0-9. */
export function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** The archive's entry order: sorted bytewise, each folder before what it holds (so cpio creates it first). */
export function archiveOrder(paths: readonly string[]): string[] {
  return [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

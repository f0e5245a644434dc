import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { DATA_DIRS, LIBRARY_DIRS, PROGRAM_DIRS } from '../../core/installer/contents.js';
import type { InstallerPlan } from '../../core/installer/plan.js';
import { run } from '../run.js';

const BIN = 'usr/bin';
const LIB = 'usr/lib/x86_64-linux-gnu';
const LOADER = 'ld-linux-x86-64.so.2';
/** Prebuilt whole-GRUB images (15 MB): grub-install builds its own core image from the modules. */
const DATA_SKIP = ['monolithic'];
/** Merged /usr: the classic places are links, so every path a package or the kernel expects resolves. */
const TOP_LINKS: [string, string][] = [['bin', 'usr/bin'], ['sbin', 'usr/bin'], ['usr/sbin', 'bin'], ['lib', 'usr/lib'], ['lib64', 'usr/lib64']];
const EMPTY_DIRS = ['dev', 'proc', 'sys', 'run', 'tmp', 'mnt', 'root', 'etc', 'var/log', 'usr/lib64'];

/** A path inside an extracted package with its links followed inside that package, never onto the host. */
function resolveIn(root: string, rel: string, depth = 0): string | undefined {
  if (depth > 20) return undefined;
  const parts = rel.split('/').filter(Boolean);
  let at = '';
  for (const [i, part] of parts.entries()) {
    const next = path.posix.join(at, part);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(path.join(root, next));
    } catch {
      return undefined;
    }
    if (stat.isSymbolicLink()) {
      const target = fs.readlinkSync(path.join(root, next));
      const resolved = target.startsWith('/') ? target.slice(1) : path.posix.join(at, target);
      return resolveIn(root, path.posix.join(resolved, ...parts.slice(i + 1)), depth + 1);
    }
    at = next;
  }
  return path.join(root, at);
}

function findProgramIn(roots: readonly string[], name: string): string | undefined {
  for (const root of roots) {
    for (const dir of PROGRAM_DIRS) {
      const found = resolveIn(root, `${dir}/${name}`);
      if (found && fs.statSync(found).isFile()) return found;
    }
  }
  return undefined;
}

function isElf(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const magic = Buffer.alloc(4);
    fs.readSync(fd, magic, 0, 4, 0);
    return magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } finally {
    fs.closeSync(fd);
  }
}

async function neededOf(file: string): Promise<string[]> {
  const { stdout } = await run(['readelf', '-d', '-W', file]);
  return [...stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1] as string);
}

/** The staging tree of the initramfs: programs, their library closure, busybox applets, grub data, modules. */
export async function stageTools(stage: string, plan: InstallerPlan, roots: readonly string[]): Promise<{ programs: number; libraries: number }> {
  for (const dir of [BIN, LIB, ...EMPTY_DIRS]) fs.mkdirSync(path.join(stage, dir), { recursive: true });
  for (const [link, target] of TOP_LINKS) fs.symlinkSync(path.relative(path.dirname(path.join(stage, link)), path.join(stage, target)), path.join(stage, link));

  const missing = plan.programs.filter((name) => !findProgramIn(roots, name));
  if (missing.length > 0) throw new UserError(`the installer's packages have no program ${missing.join(', ')}: check the package list in docs/installer.md against the machine's apt sources`);
  const elves: string[] = [];
  for (const name of plan.programs) {
    const to = path.join(stage, BIN, name);
    fs.copyFileSync(findProgramIn(roots, name) as string, to);
    if (isElf(to)) elves.push(to);
  }
  for (const [name, target] of Object.entries(plan.links)) fs.symlinkSync(target, path.join(stage, BIN, name));
  // busybox supplies every other command (sh, mount, ip, udhcpc, ...) where no real program stands.
  const applets = (await run([path.join(stage, BIN, 'busybox'), '--list'])).stdout.split('\n').filter((n) => /^[a-z0-9._[-]+$/.test(n));
  for (const applet of applets) {
    const at = path.join(stage, BIN, applet);
    if (!fs.existsSync(at) && !isLink(at)) fs.symlinkSync('busybox', at);
  }

  for (const dir of DATA_DIRS) {
    const from = roots.map((root) => resolveIn(root, dir)).find((p) => p && fs.existsSync(p));
    if (from) {
      fs.cpSync(from, path.join(stage, dir), { recursive: true, verbatimSymlinks: true, filter: (source) => !DATA_SKIP.includes(path.basename(source)) });
      // Programs among the data (grub-bios-setup) need their libraries too.
      for (const name of fs.readdirSync(path.join(stage, dir)).sort()) {
        const file = path.join(stage, dir, name);
        if (fs.lstatSync(file).isFile() && (fs.statSync(file).mode & 0o111) !== 0 && isElf(file)) elves.push(file);
      }
    }
  }

  const libraries = libraryIndex(roots);
  const done = new Set<string>();
  for (let file = elves.shift(); file !== undefined; file = elves.shift()) {
    for (const soname of await neededOf(file)) {
      if (done.has(soname)) continue;
      done.add(soname);
      const from = libraries.get(soname);
      if (!from) throw new UserError(`no package of the installer has the library ${soname} (needed by ${path.basename(file)}): report this`);
      const to = path.join(stage, LIB, soname);
      fs.copyFileSync(from, to);
      elves.push(to);
    }
  }
  const loader = libraries.get(LOADER);
  if (!loader) throw new UserError(`libc6 has no ${LOADER}: report this`);
  fs.copyFileSync(loader, path.join(stage, LIB, LOADER));
  fs.symlinkSync(`../lib/x86_64-linux-gnu/${LOADER}`, path.join(stage, 'usr/lib64', LOADER));

  return { programs: plan.programs.length, libraries: done.size };
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/** soname → file, across every package's library folders (first package in name order wins). */
function libraryIndex(roots: readonly string[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const root of roots) {
    for (const dir of LIBRARY_DIRS) {
      const at = resolveIn(root, dir);
      if (!at || !fs.existsSync(at)) continue;
      for (const name of fs.readdirSync(at).sort()) {
        if (index.has(name) || !/\.so(\.|$)/.test(name)) continue;
        const file = resolveIn(root, `${dir}/${name}`);
        if (file && fs.existsSync(file) && fs.statSync(file).isFile()) index.set(name, file);
      }
    }
  }
  return index;
}

/** The modules and the kernel's module lists under lib/modules/KVER, then depmod for the installer's own modules.dep. */
export async function stageModules(stage: string, kver: string, modulesRoot: string, files: readonly string[]): Promise<void> {
  const from = path.join(modulesRoot, 'lib', 'modules', kver);
  const to = path.join(stage, 'usr/lib/modules', kver);
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    fs.copyFileSync(path.join(from, file), path.join(to, file));
  }
  for (const list of ['modules.order', 'modules.builtin', 'modules.builtin.modinfo']) {
    if (fs.existsSync(path.join(from, list))) fs.copyFileSync(path.join(from, list), path.join(to, list));
  }
  await run(['depmod', '-b', stage, kver]);
}

/** /init, the DHCP event script, and the few files ssh and busybox need. */
export function stageFiles(stage: string, files: Record<string, { content: string; mode: number }>): void {
  for (const [rel, { content, mode }] of Object.entries(files)) {
    const to = path.join(stage, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, content, { mode });
    fs.chmodSync(to, mode);
  }
}

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { imageLink, type HomePaths } from '../../core/home.js';
import { chooseImageKernel, kernelPackageOf, parseShowDepends, type KernelSource, type PackageVersion } from '../../core/installer/plan.js';
import { CommandError, run } from '../run.js';
import { candidates, extractedDeb, fetchDebs } from './packages.js';

export interface KernelTree {
  kver: string;
  /** The bzImage. */
  kernelFile: string;
  /** A root whose lib/modules/KVER holds the modules and a modules.dep. */
  modulesRoot: string;
  /** The Debian package it came from, if any. */
  package?: PackageVersion;
}

export interface CacheDirs {
  debs: string;
  extracted: string;
  /** An empty modprobe config folder: the host's /etc/modprobe.d options must not leak into the closure. */
  emptyConfig: string;
}

/** The kernel and its modules: Debian's linux-image-amd64 (extracted and depmod-ed once, cached), or an image's own. */
export async function kernelTree(source: KernelSource, paths: HomePaths, cache: CacheDirs, onProgress: (line: string) => void): Promise<KernelTree> {
  if (source.kind === 'image') return imageKernel(imageLink(paths, source.image), source.image);
  const depends = await run(['apt-cache', 'depends', 'linux-image-amd64']).catch(() => ({ stdout: '' }));
  const { package: name, kver } = kernelPackageOf(depends.stdout);
  const [pkg] = await candidates([name]);
  if (!pkg) throw new UserError(`package ${name} is not in this machine's apt lists: run apt-get update`);
  const [deb] = await fetchDebs([pkg], cache.debs, onProgress);
  const root = path.join(cache.extracted, path.basename(deb as string, '.deb'));
  if (!fs.existsSync(root)) onProgress(`extracting ${pkg.name} ${pkg.version} and running depmod (once; cached)`);
  // The .deb has no modules.dep: depmod makes it, before the tree is published in the cache.
  await extractedDeb(deb as string, cache.extracted, async (fresh) => {
    await run(['depmod', '-b', fresh, kver]);
  });
  return { kver, kernelFile: path.join(root, 'boot', `vmlinuz-${kver}`), modulesRoot: root, package: pkg };
}

function imageKernel(root: string, image: string): KernelTree {
  if (!fs.existsSync(root)) throw new UserError(`no image ${image} in this home: list images with si image list`);
  const modulesDir = (kver: string) => path.join(root, 'lib', 'modules', kver);
  const bootEntries = fs.existsSync(path.join(root, 'boot')) ? fs.readdirSync(path.join(root, 'boot')) : [];
  let vmlinuz: string | undefined;
  try {
    vmlinuz = fs.readlinkSync(path.join(root, 'vmlinuz'));
  } catch {
    vmlinuz = undefined;
  }
  const chosen = chooseImageKernel(bootEntries, vmlinuz, (kver) => fs.existsSync(modulesDir(kver)));
  if (!chosen) throw new UserError(`image ${image} has no kernel with modules (looked for /boot/vmlinuz-* and /vmlinuz with lib/modules/VERSION): install one in the golden client, or use --kernel debian`);
  if (!fs.existsSync(path.join(modulesDir(chosen.kver), 'modules.dep'))) {
    throw new UserError(`image ${image} has no modules.dep for kernel ${chosen.kver}: run depmod ${chosen.kver} in the golden client and capture it again`);
  }
  return { kver: chosen.kver, kernelFile: path.join(root, chosen.kernel), modulesRoot: root };
}

/** The module files the installer needs, dependencies first, as paths under lib/modules/KVER. */
export async function moduleClosure(tree: KernelTree, modules: readonly string[], cache: CacheDirs): Promise<string[]> {
  fs.mkdirSync(cache.emptyConfig, { recursive: true });
  const base = path.join(tree.modulesRoot, 'lib', 'modules', tree.kver);
  const files: string[] = [];
  const missing: string[] = [];
  for (const module of modules) {
    try {
      const shown = await run(['modprobe', '-C', cache.emptyConfig, '-d', tree.modulesRoot, '-S', tree.kver, '--show-depends', module]);
      for (const file of parseShowDepends(shown.stdout, base)) if (!files.includes(file)) files.push(file);
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      missing.push(module);
    }
  }
  if (missing.length > 0) throw new UserError(`kernel ${tree.kver} has no module ${missing.join(', ')}: use a kernel that has them (--kernel debian)`);
  return files;
}

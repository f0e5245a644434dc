import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../../core/home.js';
import type { InstallerPlan } from '../../core/installer/plan.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { Renderer } from '../templates.js';
import { sha256, writeArchive } from './archive.js';
import { kernelTree, moduleClosure, type CacheDirs } from './kernel.js';
import { candidates, extractedDeb, fetchDebs, packageClosure } from './packages.js';
import { stageFiles, stageModules, stageTools } from './stage.js';

export interface BuiltInstaller {
  flavor: string;
  dir: string;
  kernel: string;
  initrd: string;
  kver: string;
  kernelSha256: string;
  initrdSha256: string;
  initrdBytes: number;
  packages: string[];
  modules: string[];
  seconds: number;
}

export function cacheDirs(cache: string): CacheDirs {
  return { debs: path.join(cache, 'debs'), extracted: path.join(cache, 'extracted'), emptyConfig: path.join(cache, 'modprobe.d') };
}

/** The package list of a plan with the library packages it pulls in, for --dry-run and the build. */
export async function resolvePackages(plan: InstallerPlan) {
  return candidates(await packageClosure(plan.packages));
}

/**
 * Builds boot/x86_64/<flavor>/{kernel,initrd.img}: packages from the machine's apt sources (downloaded once
 * into the cache), a staging tree in a scratch folder, one archive; kernel and initrd replace the old ones
 * by rename, the manifest installer.json last.
 */
export async function buildInstaller(options: { plan: InstallerPlan; paths: HomePaths; cache: string; renderer: Renderer; onProgress: (line: string) => void }): Promise<BuiltInstaller> {
  const started = process.hrtime.bigint();
  const { plan, paths, onProgress } = options;
  const cache = cacheDirs(options.cache);
  // The kernel first: an image without one is refused before anything is downloaded.
  const tree = await kernelTree(plan.kernel, paths, cache, onProgress);
  const packages = await resolvePackages(plan);
  onProgress(`${packages.length} packages (${plan.packages.length} tools and their libraries)`);
  const debs = await fetchDebs(packages, cache.debs, onProgress);
  onProgress('extracting packages');
  const roots: string[] = [];
  for (const deb of debs) roots.push(await extractedDeb(deb, cache.extracted));
  onProgress(`kernel ${tree.kver}: resolving ${plan.modules.length} modules`);
  const modules = await moduleClosure(tree, plan.modules, cache);

  const dir = path.join(paths.home, plan.outputDir);
  fs.mkdirSync(dir, { recursive: true });
  const stage = fs.mkdtempSync(path.join(dir, '.stage-'));
  const scratch = { kernel: path.join(dir, '.kernel.si-new'), initrd: path.join(dir, '.initrd.img.si-new') };
  try {
    onProgress('staging programs and libraries');
    const staged = await stageTools(stage, plan, roots);
    onProgress(`staged ${staged.programs} programs, ${staged.libraries} libraries; staging ${modules.length} module files`);
    await stageModules(stage, tree.kver, tree.modulesRoot, modules);
    const context = { kver: tree.kver, modules: plan.modules };
    stageFiles(stage, {
      init: { content: options.renderer.render('installer/init', context), mode: 0o755 },
      'etc/udhcpc.script': { content: options.renderer.render('installer/udhcpc', context), mode: 0o755 },
      'etc/passwd': { content: 'root:x:0:0:root:/root:/bin/sh\n', mode: 0o644 },
      'etc/group': { content: 'root:x:0:\n', mode: 0o644 },
    });
    onProgress('writing initrd.img');
    await writeArchive(stage, scratch.initrd, plan.sourceDateEpoch);
    fs.copyFileSync(tree.kernelFile, scratch.kernel);
    fs.chmodSync(scratch.kernel, 0o644);
    fs.renameSync(scratch.kernel, path.join(dir, 'kernel'));
    fs.renameSync(scratch.initrd, path.join(dir, 'initrd.img'));
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
    for (const file of Object.values(scratch)) fs.rmSync(file, { force: true });
  }
  const built: BuiltInstaller = {
    flavor: plan.flavor,
    dir,
    kernel: path.join(dir, 'kernel'),
    initrd: path.join(dir, 'initrd.img'),
    kver: tree.kver,
    kernelSha256: sha256(path.join(dir, 'kernel')),
    initrdSha256: sha256(path.join(dir, 'initrd.img')),
    initrdBytes: fs.statSync(path.join(dir, 'initrd.img')).size,
    packages: [...(tree.package ? [tree.package] : []), ...packages].map((p) => `${p.name}=${p.version}`),
    modules,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
  const { seconds: _seconds, dir: _dir, ...manifest } = built;
  writeFileAtomic(path.join(dir, 'installer.json'), `${JSON.stringify({ ...manifest, kernel: 'kernel', initrd: 'initrd.img' }, null, 2)}\n`);
  return built;
}

// What si image test needs from the user's SI_HOME, read once and never changed there: the version's tree and
// record, its install layout (or --layout FILE) with the disk sizes it fits, its own ssh host keys, the installer.
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { fitDisks } from '../../core/layout/fit-disks.js';
import { describeFitProblem, layoutMounts } from '../../core/layout/image-fit.js';
import { parseDiskLayout, type DiskLayout } from '../../core/layout/disk-layout.js';
import { resolveInstallLayout } from '../../core/layout/install-layout.js';
import { MIB } from '../../core/layout/partition-plan.js';
import type { VersionRow } from '../../core/registry/image-records.js';
import { ImageStore } from '../images/image-store.js';
import { measureTree } from '../layout/measure-tree.js';

export interface ImageUnderTest {
  image: string;
  version: VersionRow;
  tree: string;
  layout: DiskLayout;
  /** The layout set by --layout (written into the throwaway registry), else null: the image's own is used. */
  layoutText: string | null;
  diskSizesMiB: number[];
  /** The image's own ssh host public keys (`type base64`): an installed host must present others. */
  imageHostKeys: string[];
  /** The user's built installer folder (boot/x86_64/debian), or null: si image test builds one. */
  installer: string | null;
}

// Room on top of the smallest disk the image fits: the journal, logs and the first boot's writes.
const HEADROOM_MIB = 1024;

export function readImageUnderTest(request: { home: string; image: string; version?: number; layoutFile?: string }): ImageUnderTest {
  const fromFile = request.layoutFile === undefined ? undefined : readLayoutFile(request.layoutFile);
  const store = ImageStore.open(request.home, { create: false });
  try {
    const { image } = request;
    const row = store.requireImage(image);
    const number = request.version ?? row.currentVersion;
    if (number === null) throw new UserError(`image ${image} has no version to test: capture it first`);
    const version = store.requireVersion(image, number);
    const tree = store.versionPath(image, number);
    const layout = fromFile?.layout ?? resolveInstallLayout({ image, storedText: store.clients.findLayoutText(image), captured: version.layout }).layout;
    const fit = fitDisks({ layout, given: [], usage: measureTree(tree, layoutMounts(layout)) });
    if (fit.problems.length > 0) throw new UserError(`${describeFitProblem(image, fit.problems)}${fromFile ? ` (layout ${request.layoutFile})` : ''}`);
    const installer = path.join(store.paths.boot, 'x86_64', 'debian');
    const built = ['kernel', 'initrd.img'].every((file) => fs.existsSync(path.join(installer, file)));
    return {
      image,
      version,
      tree,
      layout,
      layoutText: fromFile ? `${JSON.stringify(fromFile.layout, null, 2)}\n` : null,
      diskSizesMiB: fit.sizes.map((bytes) => Math.ceil(bytes / MIB) + HEADROOM_MIB),
      imageHostKeys: hostKeys(tree),
      installer: built ? installer : null,
    };
  } finally {
    store.close();
  }
}

function readLayoutFile(file: string): { layout: DiskLayout } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read the layout ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}: give a layout file (see si layout show)`);
  }
  return { layout: parseDiskLayout(text, { source: file }) };
}

/** `type base64` of every /etc/ssh/ssh_host_*_key.pub in the tree. */
export function hostKeys(tree: string): string[] {
  const dir = path.join(tree, 'etc/ssh');
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => /^ssh_host_.*_key\.pub$/.test(name))
    .map((name) => fs.readFileSync(path.join(dir, name), 'utf8').trim().split(/\s+/).slice(0, 2).join(' '));
}

// The throwaway SI_HOME of si image test, under the user's SI_HOME/tmp (the same filesystem): the version under
// test as hard links of the real one, one client `imagetest`, the installer, the netboot settings and the
// rendered scripts. The user's registry, images and disks are never written.
import fs from 'node:fs';
import path from 'node:path';
import { buildRsyncArgv } from '../../core/rsync/argv.js';
import { addClients } from '../clients/client-service.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { ImageStore } from '../images/image-store.js';
import { removeTree } from '../images/tree-ops.js';
import { run } from '../run.js';
import type { ImageUnderTest } from './image-under-test.js';

export const TEST_HOST = 'imagetest';

export interface TestHomeRequest {
  userHome: string;
  subject: ImageUnderTest;
  mac: string;
  hostAddress: string;
  server: string;
  /** Installer kernel arguments for every boot of the test client (netboot settings `kernelArgs.all`). */
  kernelArgs: string[];
  /** Runs `si --home HOME ARGS...` to its end (the real commands: mkinstaller, mkautoinstallscript). */
  si: (home: string, args: string[]) => Promise<void>;
}

/** Creates SI_HOME/tmp/imagetest-PID-TIME; on failure it is removed again. */
export async function makeTestHome(request: TestHomeRequest): Promise<string> {
  const { subject, userHome } = request;
  const home = path.join(path.resolve(userHome), 'tmp', `imagetest-${process.pid}-${Date.now()}`);
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  try {
    const store = ImageStore.open(home, { create: true });
    try {
      await linkVersion(store, subject);
      const now = new Date().toISOString();
      if (subject.layoutText !== null) store.clients.writeTransaction(() => store.clients.saveLayoutText(subject.image, subject.layoutText as string, now));
      addClients(
        store,
        { hosts: [TEST_HOST], ip: request.hostAddress, gateway: request.server, image: subject.image, macs: new Map([[TEST_HOST, [request.mac]]]) },
        { dryRun: false },
      );
    } finally {
      store.close();
    }
    const settings = { server: request.server, timeoutSeconds: 2, kernelArgs: { all: request.kernelArgs } };
    writeFileAtomic(path.join(home, 'netboot.json'), `${JSON.stringify(settings, null, 2)}\n`);
    await provideInstaller(request, home);
    await request.si(home, ['mkautoinstallscript', '--image', subject.image]);
    return home;
  } catch (error) {
    removeTestHome(home);
    throw error;
  }
}

/** Removes the throwaway home (hard links only: the user's version keeps every file). */
export function removeTestHome(home: string): void {
  removeTree(home);
}

/**
 * The version becomes version 1 of the same image in the throwaway home the way a capture commits one: rsync into
 * `.incoming` with --link-dest at the real version, so every file is a hard link to it (nothing is copied).
 */
async function linkVersion(store: ImageStore, subject: ImageUnderTest): Promise<void> {
  const release = store.lock(subject.image);
  try {
    const incoming = store.incomingPath(subject.image);
    fs.mkdirSync(incoming, { recursive: true });
    await run(buildRsyncArgv({ source: `${subject.tree}/`, destination: `${incoming}/`, preserveAll: true, delete: true, linkDest: subject.tree }));
    store.commitIncoming({ ...subject.version, image: subject.image, origin: 'imagetest', createdAt: new Date().toISOString(), note: `si image test of version ${subject.version.number}` });
  } finally {
    release();
  }
}

/** The user's built installer as hard links, else `si mkinstaller` into the throwaway home (its cache in the user's). */
async function provideInstaller(request: TestHomeRequest, home: string): Promise<void> {
  const target = path.join(home, 'boot', 'x86_64', 'debian');
  const built = request.subject.installer;
  if (built === null) {
    await request.si(home, ['mkinstaller', '--cache', path.join(path.resolve(request.userHome), 'cache', 'installer')]);
    return;
  }
  fs.mkdirSync(target, { recursive: true });
  for (const name of fs.readdirSync(built)) {
    const from = path.join(built, name);
    if (!fs.statSync(from).isFile()) continue;
    try {
      fs.linkSync(from, path.join(target, name));
    } catch {
      // Another filesystem after all (a bind-mounted boot/): a copy of ~20 MB.
      fs.copyFileSync(from, path.join(target, name));
    }
  }
}

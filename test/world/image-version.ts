// A new version of an image in a test's store, as a capture would make it: the current version's tree (if
// any) copied, changed by the test, and committed under the image's lock.
import { existsSync, mkdirSync } from 'node:fs';
import { imageLink, type HomePaths } from '../../src/core/home.js';
import { ImageStore } from '../../src/infra/images/image-store.js';
import { run } from '../../src/infra/run.js';

export async function commitImageVersion(paths: HomePaths, image: string, change: (tree: string) => Promise<unknown> | void): Promise<void> {
  const store = ImageStore.open(paths.home);
  try {
    const incoming = store.incomingPath(image);
    mkdirSync(incoming, { recursive: true });
    if (existsSync(imageLink(paths, image))) await run(['cp', '-a', `${imageLink(paths, image)}/.`, `${incoming}/`]);
    await change(incoming);
    const release = store.lock(image);
    try {
      store.commitIncoming({ image, origin: 'test', createdAt: new Date().toISOString(), source: 'test', sizeBytes: 0, fileCount: 0, layout: null, excludes: [], note: '' });
    } finally {
      release();
    }
  } finally {
    store.close();
  }
}

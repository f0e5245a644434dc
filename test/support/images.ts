// Images for tests that need one but no golden client: a small tree committed through the store.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImageStore } from '../../src/infra/images/image-store.js';

export function makeImage(home: string, name: string, files: Record<string, string> = { 'etc/hostname': 'golden\n' }): void {
  makeImageWith(home, name, (incoming) => {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(incoming, path, '..'), { recursive: true });
      writeFileSync(join(incoming, path), content);
    }
  });
}

/** An image whose first version is an existing tree, moved into the store. */
export function makeImageFromTree(home: string, name: string, tree: string): void {
  makeImageWith(home, name, (incoming) => {
    mkdirSync(join(incoming, '..'), { recursive: true });
    renameSync(tree, incoming);
  });
}

function makeImageWith(home: string, name: string, fill: (incoming: string) => void): void {
  const store = ImageStore.open(home);
  try {
    const release = store.lock(name);
    try {
      fill(store.incomingPath(name));
      store.commitIncoming({ image: name, origin: 'test', createdAt: new Date().toISOString(), source: 'test', sizeBytes: 0, fileCount: 0, layout: null, excludes: [], note: '' });
    } finally {
      release();
    }
  } finally {
    store.close();
  }
}

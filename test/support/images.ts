// Images for tests that need one but no golden client: a small tree committed through the store.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImageStore } from '../../src/infra/images/image-store.js';

export function makeImage(home: string, name: string, files: Record<string, string> = { 'etc/hostname': 'golden\n' }): void {
  const store = ImageStore.open(home);
  try {
    const release = store.lock(name);
    try {
      const incoming = store.incomingPath(name);
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(join(incoming, path, '..'), { recursive: true });
        writeFileSync(join(incoming, path), content);
      }
      store.commitIncoming({ image: name, origin: 'test', createdAt: new Date().toISOString(), source: 'test', sizeBytes: 0, fileCount: 0, layout: null, excludes: [], note: '' });
    } finally {
      release();
    }
  } finally {
    store.close();
  }
}

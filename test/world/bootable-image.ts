// The bootable golden client captured into an SI_HOME as image `golden` by the real `si getimage`, as a user
// captures one: the debootstrapped tree's own sshd, chrooted, in a network namespace of its own world.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/infra/run.js';
import { siOk } from '../support/si.js';
import { bootableGoldenTree, GOLDEN_HOSTNAME } from './bootable-golden.js';
import { readHostPublicKeys, startGoldenClient, type GoldenClient } from './golden-client.js';
import { createWorld, type World } from './netns.js';

export interface BootableImage {
  /** The image's name in SI_HOME. */
  readonly name: string;
  /** The current version's tree (SI_HOME/versions/<name>/<n>). */
  readonly root: string;
  readonly version: number;
  /** The golden client's host name, which an installed VM must not show. */
  readonly goldenHostname: string;
  /** The golden client's ssh host public keys (`type base64`), which an installed VM must not present. */
  readonly goldenHostKeys: string[];
  /** The image's data in bytes (`du -sb`: file sizes, each hard-linked file once): what an install copies. */
  readonly bytes: number;
  /** Milliseconds: extracting the cached tree, and the capture by si getimage. */
  readonly timings: { extractMs: number; captureMs: number };
}

/**
 * Captures the cached bootable golden tree into siHome as image `name` (default `golden`) with `si getimage`
 * over ssh, inside a world of its own that it removes again. The first call on a machine builds the tree (~4 min).
 * `firmware: 'uefi'` captures it as a golden client installed under UEFI looks: with /boot/efi/EFI/debian (its
 * ESP's folders), which is what makes the configurator pick grub-efi for the image.
 */
export async function bootableImage({ siHome, name = 'golden', firmware = 'bios' }: { siHome: string; name?: string; firmware?: 'bios' | 'uefi' }): Promise<BootableImage> {
  const work = await mkdtemp(join(tmpdir(), 'si-bootable-image-'));
  let world: World | undefined;
  let golden: GoldenClient | undefined;
  try {
    const tree = join(work, 'golden');
    const extractStart = Date.now();
    await bootableGoldenTree(tree);
    const extractMs = Date.now() - extractStart;
    if (firmware === 'uefi') await mkdir(join(tree, 'boot/efi/EFI/debian'), { recursive: true, mode: 0o755 });
    world = await createWorld({ prefix: 'sibimg' });
    golden = await startGoldenClient({ ns: world.client, root: tree });
    const captureStart = Date.now();
    const summary = await siOk<{ version: number }>(
      siHome,
      ['getimage', '--golden-client', golden.host, '--image', name, '--ssh-key', golden.keyPath, '--json'],
      { ns: world.server },
    );
    const captureMs = Date.now() - captureStart;
    const root = realpathSync(join(siHome, 'images', name));
    const { stdout: du } = await run(['du', '-sb', root]);
    const goldenHostKeys = (await readHostPublicKeys(tree)).map((key) => key.split(/\s+/).slice(0, 2).join(' '));
    return {
      name,
      root,
      bytes: Number(du.split('\t')[0]),
      version: summary.version,
      goldenHostname: GOLDEN_HOSTNAME,
      goldenHostKeys,
      timings: { extractMs, captureMs },
    };
  } finally {
    await golden?.stop();
    await world?.destroy();
    await rm(work, { recursive: true, force: true });
  }
}

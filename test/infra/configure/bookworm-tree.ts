// The configure tests' Debian bookworm tree: the test world's cached minbase tree (it has ifupdown).
import { minbaseTree } from '../../world/debootstrap-cache.js';

/** Fills dest with the tree; the first call of any test debootstraps (~30 s), later ones unpack it. */
export async function bookwormTree(dest: string): Promise<void> {
  await minbaseTree(dest);
}

import { resolveInstallLayout, type InstallLayout } from '../../core/layout/install-layout.js';
import type { ImageStore } from './image-store.js';

/** The install layout of an image as the installer will use it: set, derived from its capture, or the standard one. */
export function installLayoutOf(store: ImageStore, image: string): InstallLayout {
  store.requireImage(image);
  const storedText = store.clients.findLayoutText(image);
  return resolveInstallLayout({ image, storedText, captured: store.currentVersion(image)?.layout ?? null });
}

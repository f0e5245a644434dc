import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Runs the VM files longest first, so that the two workers end together instead of one running the last long file
 * alone (longest-processing-time order). Seconds measured on a fresh clone with two files at a time; a file not
 * listed runs after these, in vitest's own order.
 */
const SECONDS: Record<string, number> = {
  'image-test.test.ts': 424,
  'netboot-install-raid-lvm.test.ts': 380,
  'netboot-install-failed.test.ts': 311,
  'netboot-install-uefi.test.ts': 289,
  'netboot-install-macless.test.ts': 270,
  'netboot-install-discover.test.ts': 232,
  'netboot-install-bios.test.ts': 185,
  'netboot-serve-qemu.test.ts': 108,
};

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const known = (file: TestSpecification) => SECONDS[file.moduleId.slice(file.moduleId.lastIndexOf('/') + 1)] ?? -1;
    const sorted = await super.sort(files);
    return [...sorted].sort((a, b) => known(b) - known(a));
  }
}

import { defineConfig } from 'vitest/config';
import LongestFirst from './test/support/longest-first.js';

// The VM tests: each boots QEMU guests under TCG, whose one busy vCPU thread leaves the second core mostly idle.
const VM_TESTS = ['test/e2e/netboot-install-*.test.ts', 'test/e2e/netboot-serve-qemu.test.ts', 'test/e2e/image-test.test.ts'];

export default defineConfig({
  test: {
    // Bounds for a stuck test, not expectations: a debootstrap or a capture on a loaded 2-core machine
    // takes several times what it takes on an idle one, and no test may depend on the machine being idle.
    testTimeout: 600_000,
    hookTimeout: 900_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    // The VM files longest first (the others keep vitest's order).
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: VM_TESTS,
          // End-to-end tests share loop devices, the debootstrap cache and the machine: one file at a time.
          fileParallelism: false,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'vm',
          include: VM_TESTS,
          // After everything else, two VM files at a time: each lives in namespaces of its own (named by its
          // pid) and the caches they share publish by rename, so two at once only share the cores.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});

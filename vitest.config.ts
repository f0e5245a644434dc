import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests share namespaces, loop devices and a debootstrap cache: one file at a time.
    fileParallelism: false,
    // Bounds for a stuck test, not expectations: a debootstrap or a capture on a loaded 2-core machine
    // takes several times what it takes on an idle one, and no test may depend on the machine being idle.
    testTimeout: 600_000,
    hookTimeout: 900_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});

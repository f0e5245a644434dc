import { defineConfig } from 'vitest/config';

// Benchmarks reuse the test world (namespaces, golden client) but are not part of `npm test`.
export default defineConfig({
  test: {
    include: ['bench/**/*.bench-run.ts'],
    fileParallelism: false,
    testTimeout: 1_800_000,
    hookTimeout: 600_000,
  },
});

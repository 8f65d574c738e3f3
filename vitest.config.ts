import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two workers on the 2-core machine kind: most long files wait on spawned CLIs, pcscd and vpcd
    // (each PC/SC file starts its own private stack on free ports), so the cores overlap.
    maxWorkers: 2,
    setupFiles: ['test/setup-crypto.ts'],
  },
});

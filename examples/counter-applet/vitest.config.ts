// The example's own test configuration: without it vitest would take cardforge's (two folders up)
// and its set-up files, which a project of yours does not have.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
  },
});

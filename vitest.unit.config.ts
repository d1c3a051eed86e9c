import { defineConfig } from 'vitest/config';

// Fast tests: pure domain logic, no emulators, no global setup, no I/O.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    pool: 'threads',
    testTimeout: 5_000,
  },
});

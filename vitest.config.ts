import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // e2e/ runs with the suite and skips itself unless its environment (docker, kind, clusterctl) is there.
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx', 'e2e/**/*.test.ts'],
    // Integration suites start real servers (etcd, our API server); two cores are shared by them.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});

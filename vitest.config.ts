import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // e2e/ runs with the suite and skips itself unless its environment (docker, kind, clusterctl) is there.
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx', 'e2e/**/*.test.ts'],
    // Integration suites start real servers (etcd, our API server, a workload API per
    // cluster) and emulated controllers with their own deadlines. One file at a time keeps
    // them from competing for the machine's 2 cores; no retries: a failure is a failure.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
  },
});

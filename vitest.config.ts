import { defineConfig } from 'vitest/config';

// Two lanes run side by side, one file at a time each, so CI on 2 cores keeps both busy:
// - `serial` (forks): suites that time a whole system or lean on the machine: the lab's
//   network namespaces, the kill matrix and the other reliability drills, the tmux
//   sessions and the engine's multi-process farm and dedicated suites. Each gets a
//   process of its own and never shares the machine with a second heavy file.
// - `unit` (threads): everything else, mostly in-process and I/O-bound. A worker thread
//   per file keeps module state apart as a fork would; none of these files changes the
//   working directory or the umask, which a worker cannot do.
// Files that spawn whole systems but time nothing against a bound the machine's load could
// break run in the unit lane too, to balance the two: bad-input (the CLI 76 times), the
// in-process engine topologies (test/engine/engine/topologies) and the demo suites. On
// acb5ac7's clean-clone CI the serial lane held 1297 s of the 1337 s run and the unit lane
// 689 s; the move puts about 1000 s in each.
// Against an external cluster (SCALE_TUI_TEST_KUBECONFIG) the suites share its provider
// Deployments, so both lanes use the one forks pool and files run strictly one at a time.
// No retries: a failure is a failure.
const SERIAL = [
  'test/lab/**/*.test.ts',
  'test/reliability/!(bad-input).test.ts',
  'test/ui/tmux-*.test.ts',
  'test/engine/engine/!(topologies).test.ts',
  'test/soak/**/*.test.ts',
  // e2e/ runs with the suite and skips itself unless docker, kind and clusterctl are there.
  'e2e/**/*.test.ts',
];

const external = Boolean(process.env.SCALE_TUI_TEST_KUBECONFIG);

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    poolOptions: {
      forks: { maxForks: 1, minForks: 1 },
      threads: { maxThreads: 1, minThreads: 1 },
    },
    projects: [
      { extends: true, test: { name: 'serial', pool: 'forks', include: SERIAL } },
      {
        extends: true,
        test: {
          name: 'unit',
          pool: external ? 'forks' : 'threads',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: SERIAL,
        },
      },
    ],
  },
});

// The Kubernetes API the integration suites run against. With SCALE_TUI_TEST_KUBECONFIG set it
// is that cluster (the CRDs from ../shared/crds must be installed there); otherwise an embedded
// API server started with the real CRDs. Suites must not assume which one they got.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { startApiServer, type ApiServerHandle, type ApiServerOptions } from '../../src/sim/apiserver/index.js';
import { beginLeftoverSweep } from './leftovers.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_CRDS = resolve(REPO_ROOT, '../shared/crds');

/** True when the suites run against SCALE_TUI_TEST_KUBECONFIG rather than an embedded server. */
export const EXTERNAL_CLUSTER = !!process.env.SCALE_TUI_TEST_KUBECONFIG;

/**
 * A test title that names why the test is skipped against an external cluster, for tests that
 * drive knobs only the embedded server has (fault injection, metrics and log providers, buffer
 * bounds): use with `it.skipIf(EXTERNAL_CLUSTER)(embeddedOnly(title, reason), ...)`, so the
 * skip is visible and explained instead of a silent pass.
 */
export function embeddedOnly(title: string, reason: string): string {
  return EXTERNAL_CLUSTER ? `${title} [skipped: embedded server only: ${reason}]` : title;
}

export interface TestCluster {
  kubeconfigYaml: string;
  kubeconfigPath: string;
  /** Set when the suite runs against the embedded server (faults, logs, metrics providers). */
  embedded?: ApiServerHandle;
  cleanup(): Promise<void>;
}

export async function testCluster(opts: Omit<ApiServerOptions, 'dataDir'> = {}): Promise<TestCluster> {
  const external = process.env.SCALE_TUI_TEST_KUBECONFIG;
  if (external) {
    const kubeconfigYaml = readFileSync(external, 'utf8');
    // Shared by every suite: what scale-tui made in this suite's time goes at its end.
    const sweep = await beginLeftoverSweep({ kubeconfigYaml });
    return { kubeconfigYaml, kubeconfigPath: external, cleanup: () => sweep.finish(currentSuite()) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'scale-tui-test-'));
  const embedded = await startApiServer({ crdDirs: [SHARED_CRDS], ...opts, dataDir: dir });
  const kubeconfigPath = embedded.kubeconfigPath ?? join(dir, 'kubeconfig');
  if (!embedded.kubeconfigPath) writeFileSync(kubeconfigPath, embedded.kubeconfigYaml, { mode: 0o600 });
  return {
    kubeconfigYaml: embedded.kubeconfigYaml,
    kubeconfigPath,
    embedded,
    cleanup: async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The test file now running, relative to the repository, to name a suite in clean-up reports. */
export function currentSuite(): string {
  let path: string | undefined;
  try {
    path = expect.getState().testPath;
  } catch {
    // Outside a vitest run (bench/engine-world.ts): no test file to name.
  }
  return path ? relative(REPO_ROOT, path) : 'this suite';
}

/** A namespace name unique to this test run, so suites can share a real cluster. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid.toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/** A kubeconfig for a bare URL with no credentials and no TLS check (deadline tests behind a proxy). */
export function insecureKubeconfig(url: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: c, cluster: {server: "${url}", insecure-skip-tls-verify: true}}]`,
    'users: [{name: u, user: {}}]',
    'contexts: [{name: x, context: {cluster: c, user: u}}]',
    'current-context: x',
  ].join('\n');
}

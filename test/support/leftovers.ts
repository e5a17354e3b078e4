// What a suite leaves behind on a cluster shared by every suite (SCALE_TUI_TEST_KUBECONFIG).
// The engine and the CLI put each cluster (and etcd-system, for `backing`) in a namespace
// labelled app.kubernetes.io/managed-by=scale-tui; a suite that fails half-way, or never
// deletes its clusters, leaves such namespaces, and the next suite's "nothing left" check
// (create, abort-resume, farm-remote) then fails on objects that are not its own. So each
// suite's clean-up removes the scale-tui namespaces that appeared while it ran, and says
// which: a namespace that existed before the suite started is never touched, nor anything
// scale-tui did not label. Deleting a namespace needs a namespace controller (the embedded
// server has one, as has kind; a bare kube-apiserver needs kube-controller-manager beside it).
// The wait is bounded; a namespace still there at the end is an error naming it, not a
// warning lost in the log.
import { KubeClient } from '../../src/core/kube/client.js';
import { MANAGED_SELECTOR } from '../../src/manifests/labels.js';

export interface LeftoverSweep {
  /**
   * Deletes the scale-tui namespaces that appeared since the sweep began and waits until they
   * are gone (at most `budgetMs`). Throws naming those still there; warns naming those the
   * suite had left, so a suite that does not clean up is visible even when the sweep succeeds.
   */
  finish(suite: string, budgetMs?: number): Promise<void>;
}

async function managedNamespaces(kube: KubeClient): Promise<string[]> {
  return (await kube.list('v1', 'Namespace', { labelSelector: MANAGED_SELECTOR })).map((n) => n.metadata.name);
}

/** Notes the scale-tui namespaces that exist now; what appears after them is the suite's. */
export async function beginLeftoverSweep(target: { kubeconfigYaml: string }): Promise<LeftoverSweep> {
  const kube = KubeClient.from({ kubeconfigYaml: target.kubeconfigYaml });
  const before = new Set(await managedNamespaces(kube));
  return {
    async finish(suite, budgetMs = 60_000) {
      const deadline = Date.now() + budgetMs;
      const left = (await managedNamespaces(kube)).filter((n) => !before.has(n));
      if (left.length === 0) return;
      console.warn(`${suite} left ${left.length} scale-tui namespace(s) on the shared cluster: ${left.join(', ')}`);
      for (const ns of left) await kube.delete('v1', 'Namespace', ns);
      let still = left;
      while (still.length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        const now = new Set(await managedNamespaces(kube));
        still = still.filter((n) => now.has(n));
      }
      if (still.length > 0)
        throw new Error(
          `${suite}: scale-tui namespace(s) still on the shared cluster after ${Math.round(budgetMs / 1000)} s: ` +
            `${still.join(', ')} (is a namespace controller running? objects with finalizers whose controller stopped?)`,
        );
    },
  };
}

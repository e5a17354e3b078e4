// What a suite created on the cluster it was given, so it can remove exactly that afterwards.
// Against SCALE_TUI_TEST_KUBECONFIG every suite shares one cluster: a provider Deployment left
// by one suite (with its own flags) breaks the next suite that expects to create it. Objects
// that already existed are not recorded, so a suite never deletes what it did not make.
// Namespaces are kept: a bare kube-apiserver has no namespace controller, so a deleted
// namespace would stay Terminating and refuse the next suite's objects.
import type { KubeClient } from '../../src/core/kube/client.js';
import type { KubeObject } from '../../src/manifests/types.js';

export class CreatedObjects {
  private readonly made: KubeObject[] = [];

  constructor(private readonly kube: KubeClient) {}

  /** createOrSkip that remembers the object when this call created it. */
  async create(obj: KubeObject): Promise<boolean> {
    const created = await this.kube.createOrSkip(obj);
    if (created && obj.kind !== 'Namespace') this.made.push(obj);
    return created;
  }

  /**
   * Starts a simulated kubelet and remembers its Node when the kubelet registered it: a Node
   * left behind (on loopback) changes what the endpoint check finds in a later suite.
   */
  async startKubelet(kubelet: { start(): Promise<void> }, nodeName: string): Promise<void> {
    const existed = await this.kube.get('v1', 'Node', nodeName);
    await kubelet.start();
    if (!existed) this.made.push({ apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName } });
  }

  /** Deletes what create() made, newest first; a 404 counts as gone. Call after kubelets stop. */
  async deleteAll(): Promise<void> {
    for (const o of this.made.splice(0).reverse())
      await this.kube.delete(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace);
  }
}

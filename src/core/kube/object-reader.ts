// The one-method port most adapters need from a Kubernetes client: read an object by name.
// KubeClient has it; tests hand in a map. Rollout waits, setup and backing set-up extend it
// with what else they call, instead of each spelling the signature again.
import type { KubeObject } from '../../manifests/types.js';

export interface ObjectReader {
  get<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    name: string,
    namespace?: string,
  ): Promise<T | undefined>;
}

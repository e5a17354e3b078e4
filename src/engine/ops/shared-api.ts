// The shared and sharded topologies' one workload API server: made once, before the first
// cluster that needs it, and torn down after the last cluster goes. Both halves live here so
// that what the teardown removes (its namespace, etcd tenant, keys, forwarder) is read next
// to what the creation made.
import { UserError } from '../../core/errors.js';
import type { KubeClient } from '../../core/kube/client.js';
import type { ClusterRecord } from '../../core/types.js';
import { createObjects } from '../pipeline/step.js';
import { bringUpApi, sharedApiName, sharedApiNamespace } from '../pipeline/workload-api.js';
import type { ClusterSpec } from '../pipeline/objects.js';
import { endpointFor } from '../pipeline/reach.js';
import type { EngineScope } from './scope.js';

/** Shared/sharded: the one workload API all clusters use (created once, idempotent). */
export function ensureSharedApi(scope: EngineScope): Promise<KubeClient> {
  scope.sharedApi ??= (async () => {
    const ctx = scope.context();
    const name = sharedApiName(ctx);
    const ns = sharedApiNamespace(ctx);
    const rec: ClusterRecord = { name, number: 0, namespace: ns, batchId: 'shared', phase: 'queued', transitions: {} };
    const spec: ClusterSpec = {
      runId: scope.runId,
      batchId: 'shared',
      topology: scope.topology.name,
      cluster: name,
      number: 0,
      namespace: ns,
      endpoint: endpointFor(scope.reach, scope.management, 0),
      apiserverNamespace: ns,
      serviceType: 'NodePort',
      nodePort: scope.reach.mode === 'nodeport' ? scope.reach.nodePortBase : undefined,
    };
    await createObjects(
      ctx,
      scope.management.client,
      (await scope.objects.apiserver(spec)).filter((o) => o.kind !== 'Deployment'),
      rec,
    );
    await scope.opts.managementEtcd?.ensureTenant(name);
    return bringUpApi(ctx, rec, spec, scope.management).catch((err: Error) => {
      scope.sharedApi = undefined;
      throw new UserError(
        `the shared workload API did not come up: ${err.message}`,
        `Check the management cluster can run the apiserver Deployment (kubectl -n ${ns} describe deploy).`,
      );
    });
  })();
  return scope.sharedApi;
}

/** After the last cluster: the shared API, its tenant, shard Deployments. */
export async function teardownShared(scope: EngineScope): Promise<void> {
  if (!scope.topology.dedicatedApi) {
    const ctx = scope.context();
    const ns = sharedApiNamespace(ctx);
    await scope.forwards.stop('__shared__');
    const live = await scope.management.client.get('v1', 'Namespace', ns);
    if (live?.metadata.labels?.['app.kubernetes.io/managed-by'] === 'scale-tui') {
      // The tenant before the namespace: a kill between the two leaves the labelled
      // namespace, which the next `delete --all` finds and finishes; the other order left
      // a tenant that nothing led back to.
      await scope.opts.managementEtcd?.deleteTenant(sharedApiName(ctx));
      await scope.management.client.delete('v1', 'Namespace', ns);
    }
    // The shared API's keys, as deleteCluster forgets each cluster's; unconditionally, since
    // they are minted before its namespace is written (a kill in between leaves only them).
    scope.objects.forget?.(sharedApiName(ctx));
    scope.sharedApi = undefined;
  }
  await scope.topology.teardown();
}

// doctor's workload-endpoint check against an API server whose Node says where the
// controllers run. The Node's address is this machine's loopback (so the forwarders can
// bind what the check picks) or a kind-style address on no local network.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, patchStatus } from '../../../src/core/kube/client.js';
import { checkEndpointReach } from '../../../src/engine/setup/endpoint-check.js';
import { localAddressFacing } from '../../../src/engine/topology/addresses.js';
import { testCluster, type TestCluster } from '../../support/test-cluster.js';

let tc: TestCluster;
let client: KubeClient;
const NODE = 'endpoint-check-node';
const endpoint = (host: string) => ({ mode: 'port-forward' as const, host, basePort: 10000 });

async function setNode(ip: string): Promise<void> {
  await client.createOrSkip({ apiVersion: 'v1', kind: 'Node', metadata: { name: NODE } });
  await patchStatus(client, 'Node', NODE, undefined, {
    addresses: [{ type: 'InternalIP', address: ip }],
    conditions: [{ type: 'Ready', status: 'True' }],
  });
}

beforeAll(async () => {
  tc = await testCluster();
  client = KubeClient.from({ kubeconfigPath: tc.kubeconfigPath });
});
afterAll(async () => {
  await client?.delete?.('v1', 'Node', NODE).catch(() => undefined);
  await tc?.cleanup();
});

describe('doctor: workload endpoint', () => {
  it('auto on a loopback node picks loopback, which the forwarders can bind', async () => {
    await setNode('127.0.0.1');
    const r = await checkEndpointReach(client, endpoint('auto'));
    expect(r.status).toBe('ok');
    expect(r.detail).toMatch(/dial 127\.0\.0\.1:10000\+N/);
  });

  it('a node on no local network fails with the endpoint.host fix; so does loopback for a remote node', async () => {
    // Documentation ranges, but one may be this machine's own network: take one that is not.
    const foreign = ['198.51.100.7', '203.0.113.7', '192.0.2.7'].find((a) => localAddressFacing(a) === undefined)!;
    await setNode(foreign);
    const auto = await checkEndpointReach(client, endpoint('auto'));
    expect(auto.status).toBe('fail');
    expect(auto.fix).toMatch(/endpoint\.host/);
    // The old default: loopback, which inside a controller pod is the pod itself.
    const old = await checkEndpointReach(client, endpoint('127.0.0.1'));
    expect(old.status).toBe('fail');
    expect(old.detail).toMatch(/inside their pods 127\.0\.0\.1 is the pod itself/);
  });
});

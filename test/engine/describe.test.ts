// The describe adapter against the embedded API server: one namespace's objects read with
// a deadline, Secrets by name only, the endpoint probed; a server that never answers costs
// an error line per kind, not a hung page.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/core/kube/client.js';
import { createDescriber } from '../../src/engine/describe/describe.js';
import { type ApiServerHandle, startApiServer } from '../../src/sim/apiserver/index.js';

let h: ApiServerHandle;
let dir: string;
let endpoint: Server;
let silent: Server;
const listen = (s: Server): Promise<number> =>
  new Promise((ok) => s.listen(0, '127.0.0.1', () => ok((s.address() as { port: number }).port)));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'describe-'));
  h = await startApiServer({ name: 'mgmt', dataDir: dir });
  endpoint = createServer((c) => c.end());
  // Accepts connections and never answers: an API server that hangs.
  silent = createServer(() => undefined);
  const [epPort] = [await listen(endpoint), await listen(silent)];
  const client = KubeClient.from({ kubeconfigYaml: h.kubeconfigYaml });
  const ns = 'test-1';
  await client.createOrSkip({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const objs = [
    {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      metadata: { name: ns, namespace: ns },
      spec: { controlPlaneEndpoint: { host: '127.0.0.1', port: epPort }, controlPlaneRef: { name: `${ns}-cp` } },
    },
    {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      metadata: { name: 'test-2', namespace: ns },
      spec: { controlPlaneEndpoint: { host: '127.0.0.1', port: 1 } },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${ns}-kubeconfig`, namespace: ns },
      stringData: { value: 'secret-material' },
    },
  ];
  for (const o of objs) await client.createOrSkip(o);
});

afterAll(async () => {
  endpoint?.close();
  silent?.close();
  await h?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('describe adapter', () => {
  it('reads the namespace: the Cluster at the root, Secrets by name only, the endpoint answers', async () => {
    const d = await createDescriber(KubeClient.from({ kubeconfigYaml: h.kubeconfigYaml })).describe('test-1', 'test-1');
    expect(d.tree?.kind).toBe('Cluster');
    expect(d.tree?.name).toBe('test-1');
    // The other Cluster object in the namespace still shows, under the root.
    expect(d.tree?.children.map((c) => `${c.kind}/${c.name}`)).toContain('Cluster/test-2');
    expect(d.secrets).toEqual(['test-1-kubeconfig']);
    expect(JSON.stringify(d)).not.toContain('secret-material');
    expect(d.endpointAnswers).toBe(true);
    expect(d.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('an endpoint nobody listens on does not answer', async () => {
    const d = await createDescriber(KubeClient.from({ kubeconfigYaml: h.kubeconfigYaml })).describe('test-2', 'test-1');
    expect(d.endpoint).toBe('127.0.0.1:1');
    expect(d.endpointAnswers).toBe(false);
    expect(d.endpointNote).toMatch(/no TCP answer within/);
  });

  it('a management API that never answers gives one error line per kind within the deadline', async () => {
    const port = (silent.address() as { port: number }).port;
    const yaml = h.kubeconfigYaml.replace(/server: https:\/\/[^\s]+/, `server: https://127.0.0.1:${port}`);
    const d = await createDescriber(KubeClient.from({ kubeconfigYaml: yaml }), { deadlineMs: 300 }).describe(
      'test-1',
      'test-1',
    );
    expect(d.tree).toBeUndefined();
    expect(d.errors).toHaveLength(9);
    for (const e of d.errors) expect(e).toMatch(/^\w+: list \w+: no answer within 300 ms$/);
  });
});

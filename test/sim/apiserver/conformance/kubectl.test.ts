// The real kubectl binary against the API server: apply, get -o json, patch of each type,
// delete, wait, get --watch, label selectors and logs.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, eventually, type Conn } from './helpers.js';
import { EXTERNAL_CLUSTER, embeddedOnly } from '../../../support/test-cluster.js';

let c: Conn;
let ns: string;

beforeAll(async () => {
  c = await connect();
  ns = await c.namespace('kubectl');
});
afterAll(async () => {
  await c?.close();
});

const ok = async (args: string[], stdin?: string): Promise<string> => {
  const r = await c.kubectl(args, stdin);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
};
// kubectl's JSON output is probed ad hoc by the assertions, as untyped JSON.
type Untyped = Record<string, any>;
const getJson = async (what: string): Promise<Untyped> =>
  JSON.parse(await ok(['-n', ns, 'get', what, '-o', 'json'])) as Untyped;

const deployment = (image: string, replicas: number): string => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: main
        image: ${image}
        env: [{name: MODE, value: one}]
      - name: sidecar
        image: sidecar:1
`;

describe('kubectl', () => {
  it('apply creates, re-apply configures, get -o json reads back', async () => {
    expect(await ok(['-n', ns, 'apply', '-f', '-'], deployment('web:1', 1))).toContain('deployment.apps/web created');
    expect(await ok(['-n', ns, 'apply', '-f', '-'], deployment('web:1', 1))).toContain('deployment.apps/web unchanged');
    expect(await ok(['-n', ns, 'apply', '-f', '-'], deployment('web:2', 2))).toContain(
      'deployment.apps/web configured',
    );
    const d = await getJson('deployment/web');
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.template.spec.containers.map((x: { name: string; image: string }) => `${x.name}=${x.image}`)).toEqual(
      ['main=web:2', 'sidecar=sidecar:1'],
    );
    expect(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('web:2');
    expect(d.metadata.generation).toBe(2);
  });

  it('applies custom resources (CAPI Cluster) and re-applies them', async () => {
    const cluster = (paused: boolean): string => `
apiVersion: cluster.x-k8s.io/v1beta2
kind: Cluster
metadata: {name: c1, labels: {scale: test}}
spec:
  paused: ${paused}
  clusterNetwork: {pods: {cidrBlocks: ["192.168.0.0/18"]}}
`;
    expect(await ok(['-n', ns, 'apply', '-f', '-'], cluster(false))).toContain('cluster.cluster.x-k8s.io/c1 created');
    expect(await ok(['-n', ns, 'apply', '-f', '-'], cluster(true))).toContain('configured');
    const got = await getJson('clusters.cluster.x-k8s.io/c1');
    expect(got.spec.paused).toBe(true);
    expect(got.metadata.generation).toBe(2);
  });

  it('applies server-side (--server-side), creating then updating', async () => {
    const cm = (v: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa}\ndata: {key: "${v}"}\n`;
    expect(await ok(['-n', ns, 'apply', '--server-side', '-f', '-'], cm('one'))).toContain(
      'configmap/ssa serverside-applied',
    );
    expect(await ok(['-n', ns, 'apply', '--server-side', '-f', '-'], cm('two'))).toContain(
      'configmap/ssa serverside-applied',
    );
    expect((await getJson('cm/ssa')).data).toEqual({ key: 'two' });
  });

  it('reports a schema violation from apply', async () => {
    const r = await c.kubectl(
      ['-n', ns, 'apply', '-f', '-'],
      'apiVersion: metal3.io/v1alpha1\nkind: BareMetalHost\nmetadata: {name: bad}\nspec: {online: "sometimes"}\n',
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/is invalid/);
    expect(r.stderr).toContain('spec.online');
  });

  it('patches with --type=json, merge and strategic', async () => {
    await ok([
      '-n',
      ns,
      'patch',
      'deployment/web',
      '--type=strategic',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"main","env":[{"name":"EXTRA","value":"x"}]}]}}}}',
    ]);
    let d = await getJson('deployment/web');
    // As kube-apiserver orders a merged list without $setElementOrder: the patch's new item
    // first, then the live one (seen on a real v1.32 server).
    expect(d.spec.template.spec.containers[0].env).toEqual([
      { name: 'EXTRA', value: 'x' },
      { name: 'MODE', value: 'one' },
    ]);
    expect(d.spec.template.spec.containers).toHaveLength(2);
    await ok([
      '-n',
      ns,
      'patch',
      'deployment/web',
      '--type=merge',
      '-p',
      '{"metadata":{"labels":{"tier":null,"patched":"merge"}}}',
    ]);
    d = await getJson('deployment/web');
    expect(d.metadata.labels).toEqual({ app: 'web', patched: 'merge' });
    await ok([
      '-n',
      ns,
      'patch',
      'deployment/web',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/replicas","value":5}]',
    ]);
    d = await getJson('deployment/web');
    expect(d.spec.replicas).toBe(5);
  });

  it('scales through the scale subresource', async () => {
    await ok(['-n', ns, 'scale', 'deployment/web', '--replicas=3']);
    expect((await getJson('deployment/web')).spec.replicas).toBe(3);
  });

  it('selects by label', async () => {
    for (const [name, env] of [
      ['a', 'prod'],
      ['b', 'dev'],
      ['c', 'prod'],
    ] as const) {
      await ok(
        ['-n', ns, 'apply', '-f', '-'],
        `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: sel-${name}, labels: {env: ${env}}}\ndata: {k: v}\n`,
      );
    }
    expect((await ok(['-n', ns, 'get', 'cm', '-l', 'env=prod', '-o', 'name'])).trim().split('\n').sort()).toEqual([
      'configmap/sel-a',
      'configmap/sel-c',
    ]);
    // notin also matches objects without the label (the ssa ConfigMap above has none), as in Kubernetes.
    expect((await ok(['-n', ns, 'get', 'cm', '-l', 'env notin (prod)', '-o', 'name'])).trim().split('\n')).toContain(
      'configmap/sel-b',
    );
    expect((await ok(['-n', ns, 'get', 'cm', '-l', 'env,env notin (prod)', '-o', 'name'])).trim()).toBe(
      'configmap/sel-b',
    );
    expect(
      (await ok(['-n', ns, 'get', 'cm', '-l', 'env', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').sort(),
    ).toEqual(['sel-a', 'sel-b', 'sel-c']);
  });

  it('get --watch prints changes as they happen', async () => {
    const child = spawn(
      'kubectl',
      ['--kubeconfig', c.tc.kubeconfigPath, '-n', ns, 'get', 'cm', '-l', 'watched=yes', '--watch', '-o', 'name'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      // The watch is open once kubectl has listed (nothing yet); then create and update.
      await new Promise((r) => setTimeout(r, 1500));
      await ok(
        ['-n', ns, 'apply', '-f', '-'],
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched, labels: {watched: "yes"}}\ndata: {v: "1"}\n',
      );
      await ok(['-n', ns, 'label', 'cm/watched', 'extra=1']);
      await eventually(
        () => ((out.match(/configmap\/watched/g) ?? []).length >= 2 ? true : undefined),
        30_000,
        'two watch lines from kubectl',
      );
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('waits for a condition and for deletion, and deletes', async () => {
    const crdWait = await ok(['wait', '--for=condition=Established', 'crd/clusters.cluster.x-k8s.io', '--timeout=30s']);
    expect(crdWait).toContain('condition met');
    await ok(
      ['-n', ns, 'apply', '-f', '-'],
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: doomed, finalizers: [example.com/hold]}\ndata: {}\n',
    );
    expect(await ok(['-n', ns, 'wait', '--for=jsonpath={.data.k}=v', 'cm/sel-a', '--timeout=10s'])).toContain(
      'condition met',
    );
    expect(await ok(['-n', ns, 'delete', 'cm/doomed', '--wait=false'])).toContain('configmap "doomed" deleted');
    const waiter = c.kubectl(['-n', ns, 'wait', '--for=delete', 'cm/doomed', '--timeout=30s']);
    await new Promise((r) => setTimeout(r, 500));
    expect((await getJson('cm/doomed')).metadata.deletionTimestamp).toBeTruthy();
    await ok(['-n', ns, 'patch', 'cm/doomed', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    const w = await waiter;
    expect(w.code).toBe(0);
    const gone = await c.kubectl(['-n', ns, 'get', 'cm/doomed']);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('NotFound');
  });

  it.skipIf(EXTERNAL_CLUSTER)(
    embeddedOnly(
      'shows pod logs with --tail and --since, and follows them',
      'log lines are written through the embedded log provider; a real cluster needs a kubelet and a container',
    ),
    async () => {
      const embedded = c.tc.embedded!;
      await ok(
        ['-n', ns, 'apply', '-f', '-'],
        'apiVersion: v1\nkind: Pod\nmetadata: {name: ctl}\nspec:\n  containers:\n  - {name: manager, image: m:1}\n',
      );
      for (let i = 1; i <= 5; i++) embedded.logs.append(ns, 'ctl', 'manager', `line ${i}`);
      expect(await ok(['-n', ns, 'logs', 'ctl'])).toBe('line 1\nline 2\nline 3\nline 4\nline 5\n');
      expect(await ok(['-n', ns, 'logs', 'ctl', '--tail=2'])).toBe('line 4\nline 5\n');
      expect(await ok(['-n', ns, 'logs', 'ctl', '-c', 'manager', '--since=1h'])).toContain('line 1');
      const child = spawn('kubectl', ['--kubeconfig', c.tc.kubeconfigPath, '-n', ns, 'logs', '-f', 'ctl', '--tail=1'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      try {
        await eventually(() => (out.includes('line 5') ? true : undefined), 20_000, 'the tail line');
        embedded.logs.append(ns, 'ctl', 'manager', 'line 6 (followed)');
        await eventually(() => (out.includes('line 6 (followed)') ? true : undefined), 20_000, 'the followed line');
      } finally {
        child.kill('SIGTERM');
      }
      expect(out).not.toContain('line 4');
    },
  );
});

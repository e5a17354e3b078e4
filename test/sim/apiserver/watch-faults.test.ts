// The embedded server's watch fault switch and the watchers that must survive it. A real
// kube-apiserver whose watch cache lags behind etcd ends a watch at once with
// `ERROR 504 Timeout: Too large resource version: N, current: M` (cause ResourceVersionTooLarge,
// retryAfterSeconds 1); client-go's reflector retries it, and so must every watch of ours: the
// engine's informer (src/core/kube/informer.ts over a KubeClient) and the emulated controllers'
// informer (src/sim/controllers/informer.ts over their rate-limited REST client). Embedded only:
// the fault switch is an embedded-server knob. Also here: the list/watch option rules and
// sendInitialEvents with a resourceVersion, and the compact registry's BareMetalHost enums.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer, type ApiServerHandle } from '../../../src/sim/apiserver/index.js';
import { KubeClient } from '../../../src/core/kube/client.js';
import { Informer } from '../../../src/core/kube/informer.js';
import { Informer as SimInformer } from '../../../src/sim/controllers/informer.js';
import { RestClient } from '../../../src/sim/controllers/rest.js';
import { R } from '../../../src/sim/controllers/resources.js';

let api: ApiServerHandle;
let dir: string;
let kc: KubeConfig;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'st-watch-faults-'));
  api = await startApiServer({ name: 'watch-faults', dataDir: dir });
  kc = new KubeConfig();
  kc.loadFromString(api.kubeconfigYaml);
});
afterAll(async () => {
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw GET: status, and the body's lines (a watch that ends by itself ends the request). */
function get(path: string, timeoutMs = 5_000): Promise<{ status: number; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${api.url}${path}`,
      { ca: api.caPem, headers: { Authorization: `Bearer ${api.adminToken}` }, timeout: timeoutMs },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, lines: text.split('\n').filter(Boolean) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no end within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

async function until<T>(fn: () => T | undefined, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function createConfigMap(ns: string, name: string): Promise<void> {
  const client = KubeClient.from({ kubeconfigYaml: api.kubeconfigYaml });
  await client.createOrSkip({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: {} });
}

describe('watch fault: ResourceVersionTooLarge', () => {
  it('ends the watch at once with the real server ERROR event', async () => {
    api.faults.set({ paths: /configmaps/, watchResourceVersionTooLarge: 1 });
    try {
      const r = await get('/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=40');
      expect(r.status).toBe(200);
      expect(r.lines).toHaveLength(1);
      expect(JSON.parse(r.lines[0]!)).toEqual({
        type: 'ERROR',
        object: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'Timeout: Too large resource version: 40, current: 39',
          reason: 'Timeout',
          details: {
            causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
            retryAfterSeconds: 1,
          },
          code: 504,
        },
      });
      // One use only: the next watch is served normally (it stays open until its timeout).
      const next = await get('/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1');
      expect(next.lines.every((l) => JSON.parse(l).type !== 'ERROR')).toBe(true);
    } finally {
      api.faults.clear();
    }
  });

  it("the engine's informer retries it and keeps delivering events", async () => {
    const client = KubeClient.from({ kubeconfigYaml: api.kubeconfigYaml });
    await client.createOrSkip({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'eng-rvtl' } });
    const fault = { paths: /\/namespaces\/eng-rvtl\/|configmaps\?/, watchResourceVersionTooLarge: 2 };
    api.faults.set(fault);
    const errors: string[] = [];
    const inf = new Informer(client, 'v1', 'ConfigMap', { retryMs: 50, onError: (m) => errors.push(m) });
    const seen: string[] = [];
    inf.on((type, obj) => {
      if (obj.metadata.namespace === 'eng-rvtl') seen.push(`${type}:${obj.metadata.name}`);
    });
    try {
      await inf.start();
      await until(() => (inf.counters.errors >= 2 ? true : undefined), 'both faulted watches');
      await createConfigMap('eng-rvtl', 'after-fault');
      await until(() => (seen.includes('add:after-fault') ? true : undefined), 'the event after the retries');
      expect(inf.counters.errors).toBeGreaterThanOrEqual(2);
      expect(inf.counters.watches).toBeGreaterThanOrEqual(3);
      expect(errors.some((m) => /Too large resource version/.test(m))).toBe(true);
    } finally {
      inf.stop();
      api.faults.clear();
    }
  });

  it("the emulated controllers' informer retries it and keeps delivering events", async () => {
    const client = KubeClient.from({ kubeconfigYaml: api.kubeconfigYaml });
    await client.createOrSkip({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sim-rvtl' } });
    const fault = { paths: /\/namespaces\/sim-rvtl\/configmaps/, watchResourceVersionTooLarge: 2 };
    api.faults.set(fault);
    const rest = new RestClient(kc);
    const seen: string[] = [];
    const errors: string[] = [];
    const inf = new SimInformer(rest, R.configMap, (type, obj) => seen.push(`${type}:${obj.metadata.name}`), {
      namespace: 'sim-rvtl',
      retryMs: 50,
      onError: (m) => errors.push(m),
    });
    try {
      inf.start();
      await until(() => (inf.counters.errors >= 2 ? true : undefined), 'both faulted watches');
      await createConfigMap('sim-rvtl', 'after-fault');
      await until(() => (seen.includes('add:after-fault') ? true : undefined), 'the event after the retries');
      expect(inf.counters.errors).toBeGreaterThanOrEqual(2);
      expect(errors.some((m) => /Too large resource version/.test(m))).toBe(true);
    } finally {
      inf.stop();
      rest.close();
      api.faults.clear();
    }
  });
});

describe('watch options as kube-apiserver validates them', () => {
  it('refuses resourceVersionMatch on a watch without sendInitialEvents, and sendInitialEvents on a list', async () => {
    const w = await get('/api/v1/namespaces/default/configmaps?watch=true&resourceVersionMatch=NotOlderThan');
    expect(w.status).toBe(422);
    const body = JSON.parse(w.lines.join(''));
    expect(body).toMatchObject({
      reason: 'Invalid',
      code: 422,
      details: { kind: 'ListOptions', group: 'meta.k8s.io' },
    });
    expect(body.message).toBe(
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
    );
    const l = await get('/api/v1/namespaces/default/configmaps?sendInitialEvents=true');
    expect(l.status).toBe(422);
    expect(JSON.parse(l.lines.join('')).message).toContain(
      'sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list',
    );
    const s = await get(
      '/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true',
    );
    expect(s.status).toBe(422);
    expect(JSON.parse(s.lines.join('')).message).toContain(
      'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
    );
  });

  it('sendInitialEvents with a resourceVersion sends the current state, then the initial-events-end BOOKMARK', async () => {
    await createConfigMap('default', 'initial-one');
    const r = await get(
      '/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion=1&timeoutSeconds=1',
    );
    const events = r.lines.map((l) => JSON.parse(l) as { type: string; object: { metadata: Record<string, unknown> } });
    const names = events.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata.name);
    expect(names).toContain('initial-one');
    const end = events.findIndex((e) => e.type === 'BOOKMARK');
    expect(end).toBe(names.length);
    expect(events[end]!.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });
});

describe('compact registry (no ../shared/crds): BareMetalHost enums', () => {
  it("refuses status.errorType '' as a server with the BMO CRD does, and keeps undeclared fields", async () => {
    const client = KubeClient.from({ kubeconfigYaml: api.kubeconfigYaml });
    await client.createOrSkip({
      apiVersion: 'metal3.io/v1alpha1',
      kind: 'BareMetalHost',
      metadata: { name: 'w1', namespace: 'default' },
      spec: { online: true, bmc: { address: 'redfish://x', credentialsName: 'c' } },
    } as never);
    const patch = (status: Record<string, unknown>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = https.request(
          `${api.url}/apis/metal3.io/v1alpha1/namespaces/default/baremetalhosts/w1/status`,
          {
            method: 'PATCH',
            ca: api.caPem,
            headers: { Authorization: `Bearer ${api.adminToken}`, 'Content-Type': 'application/merge-patch+json' },
          },
          (res) => {
            let b = '';
            res.on('data', (d: Buffer) => {
              b += d.toString();
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ status }));
      });
    const bad = await patch({ errorType: '', operationalStatus: 'OK' });
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.body).details.causes).toEqual([
      {
        reason: 'FieldValueNotSupported',
        field: 'status.errorType',
        message:
          'Unsupported value: "": supported values: "provisioned registration error", "registration error", "inspection error", "preparation error", "provisioning error", "power management error", "servicing error"',
      },
    ]);
    const good = await patch({
      operationalStatus: 'OK',
      provisioning: { state: 'registering', ID: 'x' },
      lastUpdated: 'now',
    });
    expect(good.status).toBe(200);
    expect(JSON.parse(good.body).status).toMatchObject({ lastUpdated: 'now', provisioning: { state: 'registering' } });
  });
});

// Watches through client-node and raw streams: event order, resourceVersion semantics,
// bookmarks, 410 Gone for expired versions, and slow clients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Watch, type V1ConfigMap } from '@kubernetes/client-node';
import { connect, eventually, type Conn } from './helpers.js';
import { EXTERNAL_CLUSTER, embeddedOnly } from '../../../support/test-cluster.js';

let c: Conn;
let ns: string;

beforeAll(async () => {
  // Embedded-only knobs; a real API server ignores them (see the per-test notes).
  c = await connect({ watchHistory: 32, watchBookmarkIntervalMs: 300, watchMaxBufferBytes: 256 * 1024 });
  ns = await c.namespace('watch');
});
afterAll(async () => {
  await c?.close();
});

interface Ev {
  type: string;
  name: string;
  rv: number;
}

describe('watch', () => {
  it('streams ADDED, MODIFIED and DELETED in order, filtered by label selector', async () => {
    const events: Ev[] = [];
    const w = new Watch(c.kc);
    const ctl = await w.watch(
      `/api/v1/namespaces/${ns}/configmaps`,
      { labelSelector: 'w=yes' },
      (type, obj: V1ConfigMap) => {
        events.push({ type, name: obj.metadata!.name!, rv: Number(obj.metadata!.resourceVersion) });
      },
      () => {},
    );
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'ignored', labels: { w: 'no' } } },
    });
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'w1', labels: { w: 'yes' } }, data: { a: '1' } },
    });
    await c.core.replaceNamespacedConfigMap({
      name: 'w1',
      namespace: ns,
      body: { metadata: { name: 'w1', labels: { w: 'yes' } }, data: { a: '2' } },
    });
    await c.core.deleteNamespacedConfigMap({ name: 'w1', namespace: ns });
    await eventually(() => (events.length >= 3 ? true : undefined), 20_000, 'three events');
    ctl.abort();
    expect(events.map((e) => `${e.type}:${e.name}`)).toEqual(['ADDED:w1', 'MODIFIED:w1', 'DELETED:w1']);
    expect(events[0]!.rv).toBeLessThan(events[1]!.rv);
    expect(events[1]!.rv).toBeLessThan(events[2]!.rv);
  });

  it('turns label changes into ADDED/DELETED for a filtered watch', async () => {
    const events: string[] = [];
    const ctl = await new Watch(c.kc).watch(
      `/api/v1/namespaces/${ns}/configmaps`,
      { labelSelector: 'phase=on' },
      (type, obj: V1ConfigMap) => {
        events.push(`${type}:${obj.metadata!.name}:${obj.metadata!.labels?.phase ?? ''}`);
      },
      () => {},
    );
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'flip', labels: { phase: 'off' } } },
    });
    const patch = async (phase: string): Promise<void> => {
      const cur = await c.core.readNamespacedConfigMap({ name: 'flip', namespace: ns });
      await c.core.replaceNamespacedConfigMap({
        name: 'flip',
        namespace: ns,
        body: { ...cur, metadata: { ...cur.metadata, labels: { phase } } },
      });
    };
    await patch('on');
    await patch('off');
    await eventually(() => (events.length >= 2 ? true : undefined), 20_000, 'two events');
    ctl.abort();
    // kube-apiserver's watch cache sends the object's previous (still matching) state on DELETED.
    expect(events).toEqual(['ADDED:flip:on', 'DELETED:flip:on']);
  });

  it('starts from a resourceVersion: only later changes, no synthetic ADDED for existing objects', async () => {
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'before', labels: { r: 'v' } } },
    });
    const list = await c.core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'r=v' });
    const events: string[] = [];
    const ctl = await new Watch(c.kc).watch(
      `/api/v1/namespaces/${ns}/configmaps`,
      { labelSelector: 'r=v', resourceVersion: list.metadata!.resourceVersion },
      (type, obj: V1ConfigMap) => {
        events.push(`${type}:${obj.metadata!.name}`);
      },
      () => {},
    );
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'after', labels: { r: 'v' } } },
    });
    await eventually(() => (events.length >= 1 ? true : undefined), 20_000, 'one event');
    ctl.abort();
    expect(events).toEqual(['ADDED:after']);
  });

  it('sends synthetic ADDED events for existing objects when no resourceVersion is given', async () => {
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'existing', labels: { s: 'x' } } },
    });
    const events: string[] = [];
    const ctl = await new Watch(c.kc).watch(
      `/api/v1/namespaces/${ns}/configmaps`,
      { labelSelector: 's=x' },
      (type, obj: V1ConfigMap) => {
        events.push(`${type}:${obj.metadata!.name}`);
      },
      () => {},
    );
    await eventually(() => (events.length >= 1 ? true : undefined), 20_000, 'the synthetic event');
    ctl.abort();
    expect(events).toEqual(['ADDED:existing']);
  });

  it('watches cluster-wide across namespaces', async () => {
    const other = await c.namespace('watch-other');
    const events: string[] = [];
    const ctl = await new Watch(c.kc).watch(
      '/api/v1/configmaps',
      { labelSelector: 'cw=1' },
      (type, obj: V1ConfigMap) => {
        events.push(`${type}:${obj.metadata!.namespace}/${obj.metadata!.name}`);
      },
      () => {},
    );
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cw', labels: { cw: '1' } } } });
    await c.core.createNamespacedConfigMap({
      namespace: other,
      body: { metadata: { name: 'cw', labels: { cw: '1' } } },
    });
    await eventually(() => (events.length >= 2 ? true : undefined), 20_000, 'two events');
    ctl.abort();
    expect(events.sort()).toEqual([`ADDED:${ns}/cw`, `ADDED:${other}/cw`].sort());
  });

  it('sends an initial-events-end BOOKMARK with sendInitialEvents', async () => {
    const lines: Array<{
      type: string;
      object: { metadata: { annotations?: Record<string, string>; resourceVersion: string } };
    }> = [];
    const s = await c.stream(
      `/api/v1/namespaces/${ns}/configmaps?watch=true&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`,
      (l) => lines.push(JSON.parse(l) as (typeof lines)[number]),
    );
    await eventually(() => (lines.some((l) => l.type === 'BOOKMARK') ? true : undefined), 20_000, 'a bookmark');
    s.close();
    const bm = lines.find((l) => l.type === 'BOOKMARK')!;
    expect(bm.object.metadata.annotations?.['k8s.io/initial-events-end']).toBe('true');
    expect(Number(bm.object.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(lines.slice(0, lines.indexOf(bm)).every((l) => l.type === 'ADDED')).toBe(true);
  });

  it('answers a watch from an expired resourceVersion with an ERROR event carrying 410 Expired', async () => {
    // Embedded: the history holds 32 events per resource. A real server keeps more (and compacts
    // etcd every 5 minutes), so version 1 is the expired one there.
    const first = await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'churn' }, data: { i: '0' } },
    });
    let rv = c.tc.embedded ? first.metadata!.resourceVersion! : '1';
    if (c.tc.embedded) {
      for (let i = 1; i <= 80; i++) {
        await c.core.replaceNamespacedConfigMap({
          name: 'churn',
          namespace: ns,
          body: { metadata: { name: 'churn' }, data: { i: String(i) } },
        });
      }
    } else rv = '1';
    const lines: Array<{ type: string; object: { code?: number; reason?: string; kind?: string } }> = [];
    const s = await c.stream(`/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${rv}`, (l) =>
      lines.push(JSON.parse(l) as (typeof lines)[number]),
    );
    await eventually(() => (lines.length > 0 ? true : undefined), 20_000, 'the error event');
    s.close();
    expect(lines[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  it.skipIf(EXTERNAL_CLUSTER)(
    embeddedOnly(
      'does not let a client that stops reading hold up writers',
      'relies on the per-watcher output bound set through embedded-server options',
    ),
    async () => {
      let received = 0;
      const s = await c.stream(
        `/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${(await c.core.listNamespacedConfigMap({ namespace: ns })).metadata!.resourceVersion}`,
        () => {
          received++;
        },
      );
      s.res.pause();
      const big = 'x'.repeat(20_000);
      // 16 MB of events: more than the loopback socket buffers plus the 256 kB per-watcher bound.
      for (let i = 0; i < 800; i++) {
        await c.core.createNamespacedConfigMap({
          namespace: ns,
          body: { metadata: { name: `slow-${i}` }, data: { big } },
        });
      }
      // Every write went through while the watcher was stuck; now let the client read what it got.
      let ended = false;
      s.res.on('close', () => {
        ended = true;
      });
      s.res.resume();
      await eventually(() => (ended ? true : undefined), 20_000, 'the slow watcher to be cut off');
      expect(received).toBeGreaterThan(0);
      expect(received).toBeLessThan(800);
      const after = await c.core.readNamespacedConfigMap({ name: 'slow-799', namespace: ns });
      expect(after.data?.big).toHaveLength(20_000);
    },
  );
});

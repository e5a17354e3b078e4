// The watch history keeps each event's object once. A fanned-out watch line used to stay on the
// history event: once written to a socket V8 flattens it into a full copy of the object's JSON,
// so a bucket with its 1024..2048 events held every object twice (the demo's management server
// at 1000 clusters has some 25 such buckets). These tests hold the bound: no history event
// keeps a line after its fan-out or after a replay, and what watchers receive is unchanged.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ObjectStore } from '../../../src/sim/apiserver/objects.js';
import { Registry } from '../../../src/sim/apiserver/registry.js';
import { eventLine, type StoreEvent } from '../../../src/sim/apiserver/store.js';
import { serveWatch } from '../../../src/sim/apiserver/watch.js';

function world() {
  const registry = new Registry(false);
  const store = new ObjectStore(registry, 16);
  store.create(registry.lookup('', 'v1', 'namespaces')!, '', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'default' },
  });
  const cm = registry.lookup('', 'v1', 'configmaps')!;
  return { store, cm, bucket: store.slot(cm).bucket };
}

/** A response that records what serveWatch writes (the parts of ServerResponse it uses). */
function fakeResponse(): { res: ServerResponse; written: string[] } {
  const written: string[] = [];
  const res = {
    writableLength: 0,
    writeHead: () => res,
    flushHeaders: () => undefined,
    write: (chunk: string) => {
      written.push(chunk);
      return true;
    },
    end: (chunk?: string) => {
      if (chunk) written.push(chunk);
    },
    on: () => res,
    destroy: () => undefined,
  };
  return { res: res as unknown as ServerResponse, written };
}

const fakeRequest = { on: () => undefined } as unknown as IncomingMessage;

describe('watch history memory', () => {
  it('keeps no serialised line on a history event once it is fanned out', () => {
    const { store, cm, bucket } = world();
    const received: string[] = [];
    bucket.watchers.add({ accepts: () => true, push: (ev) => received.push(eventLine(ev, 'v1')) });
    for (let i = 0; i < 10; i++)
      store.create(cm, 'default', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `c${i}` },
        data: { i: `${i}` },
      });
    const history = bucket.since(bucket.evictedRv) as StoreEvent[];
    expect(history).toHaveLength(10);
    expect(history.filter((ev) => ev.lines !== undefined)).toEqual([]);
    // What the watcher got is the event line of each object, in order.
    expect(received.map((l) => (JSON.parse(l) as { object: { data: { i: string } } }).object.data.i)).toEqual(
      history.map((_, i) => `${i}`),
    );
  });

  it('keeps exactly its cap of events (was up to twice the cap) and answers older versions as expired', () => {
    const { store, cm, bucket } = world(); // cap 16
    const rvs: number[] = [];
    for (let i = 0; i < 100; i++) {
      const r = store.create(cm, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` } });
      rvs.push(Number((JSON.parse(r.json) as { metadata: { resourceVersion: string } }).metadata.resourceVersion));
      expect(bucket.historySize).toBeLessThanOrEqual(16);
    }
    expect(bucket.historySize).toBe(16);
    // The last 16 are replayable from the version just before them; one older is 410.
    expect(bucket.since(rvs[83]!)?.map((ev) => ev.item.rv)).toEqual(rvs.slice(84));
    expect(bucket.since(rvs[82]!)).toBeUndefined();
    expect(bucket.since(rvs[99]!)).toEqual([]);
  });

  it('a replay from a resourceVersion sends the same lines and leaves none on the history', () => {
    const { store, cm, bucket } = world();
    const first = store.create(cm, 'default', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a' },
      data: { v: '0' },
    });
    const fromRv = Number(
      (JSON.parse(first.json) as { metadata: { resourceVersion: string } }).metadata.resourceVersion,
    );
    for (let i = 1; i <= 5; i++) {
      const cur = store.getObject(cm, 'default', 'a');
      store.update(cm, 'default', 'a', { ...cur, data: { v: `${i}` } }, undefined);
    }
    const { res, written } = fakeResponse();
    serveWatch(fakeRequest, res, {
      bucket,
      kind: 'ConfigMap',
      apiVersion: 'v1',
      resourceVersion: String(fromRv),
      allowBookmarks: false,
      currentRv: () => 0,
      bookmarkIntervalMs: 60_000,
      maxBufferBytes: 1 << 20,
    });
    const events = written.map((l) => JSON.parse(l) as { type: string; object: { data: { v: string } } });
    expect(events.map((e) => `${e.type} ${e.object.data.v}`)).toEqual([1, 2, 3, 4, 5].map((v) => `MODIFIED ${v}`));
    expect((bucket.since(bucket.evictedRv) as StoreEvent[]).filter((ev) => ev.lines !== undefined)).toEqual([]);
  });
});

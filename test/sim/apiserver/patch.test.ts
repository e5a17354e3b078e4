// The patch algorithms on their own (kube-apiserver's behaviour for each case).
import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch, strategicMerge, patchKindOf } from '../../../src/sim/apiserver/patch.js';
import { ApiStatusError } from '../../../src/sim/apiserver/status.js';

describe('strategic merge patch', () => {
  const pod = {
    spec: {
      containers: [
        {
          name: 'a',
          image: 'a:1',
          args: ['--one', '--two'],
          env: [{ name: 'X', value: '1' }],
          volumeMounts: [{ mountPath: '/data', name: 'd' }],
        },
        { name: 'b', image: 'b:1' },
      ],
      volumes: [{ name: 'd', emptyDir: {} }],
      finalizersLike: ['x'],
    },
    metadata: { finalizers: ['keep'] },
  };

  it('merges lists by their merge keys and replaces args', () => {
    const out = strategicMerge(pod, {
      spec: {
        containers: [
          {
            name: 'a',
            args: ['--three'],
            env: [{ name: 'Y', value: '2' }],
            volumeMounts: [{ mountPath: '/data', readOnly: true }],
          },
          { name: 'c', image: 'c:1' },
        ],
        volumes: [{ name: 'e', emptyDir: {} }],
      },
      metadata: { finalizers: ['added'] },
    }) as typeof pod;
    // Upstream order (strategicpatch normalizeElementOrder): patch items in patch order, a
    // server-only item placed before a patch item only if the live list had both and it came first.
    expect(out.spec.containers.map((c) => c.name)).toEqual(['a', 'c', 'b']);
    expect(out.spec.containers[0]!.args).toEqual(['--three']);
    expect(out.spec.containers[0]!.env).toEqual([
      { name: 'Y', value: '2' },
      { name: 'X', value: '1' },
    ]);
    expect(out.spec.containers[0]!.volumeMounts).toEqual([{ mountPath: '/data', name: 'd', readOnly: true }]);
    expect(out.spec.volumes.map((v) => v.name)).toEqual(['e', 'd']);
    expect(out.metadata.finalizers).toEqual(['added', 'keep']);
  });

  it('honours $patch: delete and replace, $setElementOrder and $deleteFromPrimitiveList', () => {
    const out = strategicMerge(pod, {
      spec: {
        containers: [{ name: 'b', $patch: 'delete' }],
        volumes: [{ name: 'only', emptyDir: {} }, { $patch: 'replace' }],
      },
      metadata: { '$deleteFromPrimitiveList/finalizers': ['keep'] },
    }) as typeof pod;
    expect(out.spec.containers.map((c) => c.name)).toEqual(['a']);
    expect(out.spec.volumes).toEqual([{ name: 'only', emptyDir: {} }]);
    expect(out.metadata.finalizers).toEqual([]);
    const ordered = strategicMerge(pod, {
      spec: {
        '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }],
        containers: [{ name: 'a', image: 'a:2' }],
      },
    }) as typeof pod;
    expect(ordered.spec.containers.map((c) => `${c.name}:${c.image}`)).toEqual(['b:b:1', 'a:a:2']);
  });

  it('merges Service ports on port and removes null fields', () => {
    const svc = {
      spec: {
        ports: [
          { port: 80, name: 'http' },
          { port: 443, name: 'https' },
        ],
        selector: { app: 'x' },
      },
    };
    const out = strategicMerge(svc, { spec: { ports: [{ port: 443, targetPort: 8443 }], selector: null } }) as {
      spec: { ports: unknown[]; selector?: unknown };
    };
    expect(out.spec.ports).toEqual([
      { port: 80, name: 'http' },
      { port: 443, name: 'https', targetPort: 8443 },
    ]);
    expect(out.spec.selector).toBeUndefined();
  });
});

describe('JSON merge patch', () => {
  it('replaces lists and deletes null keys (RFC 7386)', () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] })).toEqual({
      a: { c: 2, d: 3 },
      l: [3],
    });
  });
});

describe('JSON patch', () => {
  it('applies add/remove/replace/move/copy/test and escapes ~1', () => {
    const doc = { metadata: { labels: { 'a/b': 'x' } }, list: [1, 2, 3] };
    const out = jsonPatch(doc, [
      { op: 'test', path: '/metadata/labels/a~1b', value: 'x' },
      { op: 'add', path: '/list/-', value: 4 },
      { op: 'remove', path: '/list/0' },
      { op: 'replace', path: '/list/0', value: 20 },
      { op: 'copy', from: '/list/0', path: '/copied' },
      { op: 'move', from: '/metadata/labels/a~1b', path: '/metadata/labels/moved' },
    ]);
    expect(out).toEqual({ metadata: { labels: { moved: 'x' } }, list: [20, 3, 4], copied: 20 });
    expect(doc.list).toEqual([1, 2, 3]);
  });

  it('fails a failed test and a remove of a missing key', () => {
    expect(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(ApiStatusError);
    expect(() => jsonPatch({ a: 1 }, [{ op: 'remove', path: '/b' }])).toThrow(ApiStatusError);
    expect(() => jsonPatch({ a: 1 }, { op: 'add' })).toThrow(ApiStatusError);
  });
});

describe('strategic merge patch order and directives (apimachinery strategicpatch semantics)', () => {
  it('puts a new patch item before the server-only ones: ports [80] + [443] is [443, 80]', () => {
    const out = strategicMerge({ ports: [{ containerPort: 80 }] }, { ports: [{ containerPort: 443 }] }) as {
      ports: { containerPort: number }[];
    };
    expect(out.ports.map((p) => p.containerPort)).toEqual([443, 80]);
  });

  it('keeps a server-only item ahead of a patch item that followed it in the live list', () => {
    const out = strategicMerge(
      {
        env: [
          { name: 'E1', value: '1' },
          { name: 'E2', value: '2' },
        ],
      },
      {
        env: [
          { name: 'E2', value: 'two' },
          { name: 'E3', value: '3' },
        ],
      },
    ) as { env: { name: string; value: string }[] };
    expect(out.env.map((e) => `${e.name}=${e.value}`)).toEqual(['E1=1', 'E2=two', 'E3=3']);
  });

  it('orders by $setElementOrder, keeping server-only items where the live list had them', () => {
    const out = strategicMerge(
      { metadata: { finalizers: ['a', 'b', 'c'] } },
      { metadata: { '$setElementOrder/finalizers': ['c', 'a', 'd'], finalizers: ['d'] } },
    ) as { metadata: { finalizers: string[] } };
    // b came before c in the live list, so it goes before c (mergeSortedSlice compares live positions).
    expect(out.metadata.finalizers).toEqual(['b', 'c', 'a', 'd']);
  });

  it('turns a map with $patch: delete into an empty map, and $retainKeys clears the others', () => {
    const out = strategicMerge(
      { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } }, sel: { a: '1' } } },
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' }, sel: { $patch: 'delete' } } },
    );
    expect(out).toEqual({ spec: { strategy: { type: 'Recreate' }, sel: {} } });
  });

  it('refuses a patch key missing from $retainKeys and an order list that misses a patch item', () => {
    expect(() => strategicMerge({ s: { a: 1 } }, { s: { $retainKeys: ['a'], b: 2 } })).toThrow(ApiStatusError);
    expect(() =>
      strategicMerge({ env: [] }, { '$setElementOrder/env': [{ name: 'A' }], env: [{ name: 'B', value: 'x' }] }),
    ).toThrow(ApiStatusError);
  });
});

describe('patchKindOf', () => {
  it('maps content types', () => {
    expect(patchKindOf('application/json-patch+json')).toBe('json');
    expect(patchKindOf('application/merge-patch+json; charset=utf-8')).toBe('merge');
    expect(patchKindOf('application/strategic-merge-patch+json')).toBe('strategic');
    expect(patchKindOf('application/apply-patch+yaml')).toBe('apply');
    expect(patchKindOf('application/json')).toBeUndefined();
  });
});

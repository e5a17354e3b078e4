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
    expect(out.spec.containers.map((c) => c.name)).toEqual(['a', 'b', 'c']);
    expect(out.spec.containers[0]!.args).toEqual(['--three']);
    expect(out.spec.containers[0]!.env).toEqual([
      { name: 'X', value: '1' },
      { name: 'Y', value: '2' },
    ]);
    expect(out.spec.containers[0]!.volumeMounts).toEqual([{ mountPath: '/data', name: 'd', readOnly: true }]);
    expect(out.spec.volumes.map((v) => v.name)).toEqual(['d', 'e']);
    expect(out.metadata.finalizers).toEqual(['keep', 'added']);
  });

  it('honours $patch: delete and replace, $setElementOrder and $deleteFromPrimitiveList', () => {
    const out = strategicMerge(pod, {
      spec: {
        containers: [{ name: 'b', $patch: 'delete' }],
        volumes: [{ name: 'only', emptyDir: {} }, { $patch: 'replace' }],
        '$deleteFromPrimitiveList/finalizersLike': ['x'],
      },
    }) as typeof pod;
    expect(out.spec.containers.map((c) => c.name)).toEqual(['a']);
    expect(out.spec.volumes).toEqual([{ name: 'only', emptyDir: {} }]);
    expect(out.spec.finalizersLike).toEqual([]);
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

describe('patchKindOf', () => {
  it('maps content types', () => {
    expect(patchKindOf('application/json-patch+json')).toBe('json');
    expect(patchKindOf('application/merge-patch+json; charset=utf-8')).toBe('merge');
    expect(patchKindOf('application/strategic-merge-patch+json')).toBe('strategic');
    expect(patchKindOf('application/apply-patch+yaml')).toBe('apply');
    expect(patchKindOf('application/json')).toBeUndefined();
  });
});

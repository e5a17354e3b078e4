// Bad requests get the status codes kube-apiserver gives, with Status bodies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Conn } from './helpers.js';

let c: Conn;
let ns: string;

beforeAll(async () => {
  c = await connect();
  ns = await c.namespace('errors');
  await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'exists' }, data: { a: '1' } } });
});
afterAll(async () => {
  await c?.close();
});

describe('bad requests', () => {
  it('malformed JSON body: 400 BadRequest', async () => {
    const r = await c.raw('POST', `/api/v1/namespaces/${ns}/configmaps`, '{"metadata": {"name": ');
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
  });

  it('unknown resource in a known group version: 404 NotFound', async () => {
    const r = await c.raw('GET', `/api/v1/namespaces/${ns}/widgets`);
    expect(r.status).toBe(404);
    expect(r.json()).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });

  it('unknown group: 404', async () => {
    const r = await c.raw('GET', '/apis/widgets.example.com/v1/widgets');
    expect(r.status).toBe(404);
  });

  it('patch with an unsupported content type: 415 UnsupportedMediaType', async () => {
    const r = await c.raw(
      'PATCH',
      `/api/v1/namespaces/${ns}/configmaps/exists`,
      '{"data":{"a":"2"}}',
      'application/json',
    );
    expect(r.status).toBe(415);
    expect(r.json()).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415 });
  });

  it('schema violation on a custom resource: 422 Invalid with causes', async () => {
    const body = JSON.stringify({
      apiVersion: 'metal3.io/v1alpha1',
      kind: 'BareMetalHost',
      metadata: { name: 'h' },
      spec: { online: 'maybe', bootMode: 'floppy' },
    });
    const r = await c.raw('POST', `/apis/metal3.io/v1alpha1/namespaces/${ns}/baremetalhosts`, body);
    expect(r.status).toBe(422);
    const s = r.json() as {
      reason: string;
      details: { kind: string; name: string; causes: Array<{ field: string; reason: string }> };
    };
    expect(s.reason).toBe('Invalid');
    expect(s.details).toMatchObject({ kind: 'BareMetalHost', name: 'h', group: 'metal3.io' });
    const fields = s.details.causes.map((x) => `${x.field}:${x.reason}`).sort();
    expect(fields).toEqual(['spec.bootMode:FieldValueNotSupported', 'spec.online:FieldValueTypeInvalid']);
  });

  it('unknown field with fieldValidation=Strict: 400 BadRequest', async () => {
    const body = JSON.stringify({
      apiVersion: 'metal3.io/v1alpha1',
      kind: 'BareMetalHost',
      metadata: { name: 'strict' },
      spec: { online: true, noSuchField: 1 },
    });
    const r = await c.raw(
      'POST',
      `/apis/metal3.io/v1alpha1/namespaces/${ns}/baremetalhosts?fieldValidation=Strict`,
      body,
    );
    expect(r.status).toBe(400);
    expect(r.json().message).toContain('unknown field "spec.noSuchField"');
  });

  it('missing name: 422 Invalid', async () => {
    const r = await c.raw(
      'POST',
      `/api/v1/namespaces/${ns}/configmaps`,
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }),
    );
    expect(r.status).toBe(422);
    expect(r.json()).toMatchObject({ reason: 'Invalid' });
  });

  it('invalid name: 422 Invalid', async () => {
    const r = await c.raw(
      'POST',
      `/api/v1/namespaces/${ns}/configmaps`,
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_Valid' } }),
    );
    expect(r.status).toBe(422);
  });

  it('namespace in the body differs from the URL: 400', async () => {
    const r = await c.raw(
      'POST',
      `/api/v1/namespaces/${ns}/configmaps`,
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'other' } }),
    );
    expect(r.status).toBe(400);
  });

  it('name in the body differs from the URL on update: 400', async () => {
    const r = await c.raw(
      'PUT',
      `/api/v1/namespaces/${ns}/configmaps/exists`,
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' } }),
    );
    expect(r.status).toBe(400);
  });

  it('create in a namespace that does not exist: 404', async () => {
    const r = await c.raw(
      'POST',
      '/api/v1/namespaces/no-such-namespace-xyz/configmaps',
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }),
    );
    expect(r.status).toBe(404);
    expect(r.json()).toMatchObject({
      reason: 'NotFound',
      details: { name: 'no-such-namespace-xyz', kind: 'namespaces' },
    });
  });

  it('an unparseable label selector: 400', async () => {
    const r = await c.raw('GET', `/api/v1/namespaces/${ns}/configmaps?labelSelector=${encodeURIComponent('a in (b')}`);
    expect(r.status).toBe(400);
  });

  it('an unsupported field selector: 400', async () => {
    const r = await c.raw('GET', `/api/v1/namespaces/${ns}/configmaps?fieldSelector=${encodeURIComponent('data.a=1')}`);
    expect(r.status).toBe(400);
  });

  it('POST on a named object: 405 MethodNotAllowed', async () => {
    const r = await c.raw('POST', `/api/v1/namespaces/${ns}/configmaps/exists`, '{}');
    expect(r.status).toBe(405);
  });

  it('deleting the default namespace: 403 Forbidden', async () => {
    const r = await c.raw('DELETE', '/api/v1/namespaces/default');
    expect(r.status).toBe(403);
    expect(r.json()).toMatchObject({ reason: 'Forbidden' });
  });

  it('a wrong bearer token: 401', async () => {
    // The kubeconfig's own credentials are accepted on the same path; a wrong token on a
    // connection without the kubeconfig's client certificate is not (helpers.unauthenticated).
    expect((await c.raw('GET', '/api/v1/namespaces')).status).toBe(200);
    expect(await c.unauthenticated('/api/v1/namespaces')).toBe(401);
  });
});

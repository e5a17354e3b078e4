import { describe, expect, it } from 'vitest';
import { LABEL_CAPI_CLUSTER_NAME } from '../../src/manifests/labels.js';
import { pkiSecrets } from '../../src/manifests/pki-secrets.js';
import type { KubeObject } from '../../src/manifests/types.js';
import { expectValid, RUN } from './helpers.js';

const pem = (what: string) => `-----BEGIN ${what}-----\nTUlJ\n-----END ${what}-----\n`;
const pair = (n: string) => ({ cert: pem(`CERTIFICATE ${n}`), key: pem(`PRIVATE KEY ${n}`) });
const data = (o: KubeObject, k: string) => Buffer.from((o.data as Record<string, string>)[k]!, 'base64').toString();

describe('pkiSecrets', () => {
  const objs = pkiSecrets({
    cluster: 'test-4',
    namespace: 'test-4',
    ownership: { runId: RUN },
    ca: pair('ca'),
    etcdCa: pair('etcd'),
    apiserverEtcdClient: pair('client'),
    apiserver: pair('apiserver'),
    serviceAccount: { publicKey: pem('PUBLIC KEY'), privateKey: pem('PRIVATE KEY sa') },
  });

  it('creates the five secrets CAPI and the fake API server expect', () => {
    expect(objs.map((o) => o.metadata.name)).toEqual([
      'test-4-ca',
      'test-4-etcd',
      'test-4-apiserver-etcd-client',
      'apiserver',
      'test-4-sa',
    ]);
    expectValid(objs);
    for (const o of objs) {
      expect(o.type).toBe('kubernetes.io/tls');
      expect(o.metadata.namespace).toBe('test-4');
      expect(o.metadata.labels?.[LABEL_CAPI_CLUSTER_NAME]).toBe('test-4');
    }
  });

  it('stores the PEMs the caller passed; the SA secret holds public key in tls.crt', () => {
    expect(data(objs[0]!, 'tls.crt')).toBe(pem('CERTIFICATE ca'));
    expect(data(objs[0]!, 'tls.key')).toBe(pem('PRIVATE KEY ca'));
    expect(data(objs[2]!, 'tls.crt')).toBe(pem('CERTIFICATE client'));
    expect(data(objs[4]!, 'tls.crt')).toBe(pem('PUBLIC KEY'));
    expect(data(objs[4]!, 'tls.key')).toBe(pem('PRIVATE KEY sa'));
  });

  it('shared topology: only the three Secrets KCP needs when apiserver/SA are not given', () => {
    const three = pkiSecrets({
      cluster: 'test-9',
      namespace: 'test-9',
      ownership: { runId: RUN },
      ca: pair('ca'),
      etcdCa: { cert: pem('CERTIFICATE etcd') },
      apiserverEtcdClient: pair('client'),
    });
    expect(three.map((o) => o.metadata.name)).toEqual(['test-9-ca', 'test-9-etcd', 'test-9-apiserver-etcd-client']);
    expectValid(three);
    // kubernetes.io/tls needs both keys; a CA given without its key is stored with an empty key.
    expect(data(three[1]!, 'tls.key')).toBe('');
  });
});

// Authentication order as kube-apiserver's authenticator union has it: x509 client certificates
// are checked before bearer tokens, so a request with a valid client certificate is
// authenticated whatever token it also carries (a real cluster answered 200 to a "wrong
// token" request from a client-certificate kubeconfig); without a certificate the token decides.
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../../../src/sim/apiserver/index.js';
import { createLocalCa, issueLocalCert } from '../../../src/sim/apiserver/tls.js';

const ca = createLocalCa('authn-ca');
const serving = issueLocalCert(ca, { commonName: 'kube-apiserver', usage: 'server', altNames: ['127.0.0.1'] });
const admin = issueLocalCert(ca, {
  commonName: 'kubernetes-admin',
  organizations: ['system:masters'],
  usage: 'client',
});
const stranger = issueLocalCert(createLocalCa('other-ca'), { commonName: 'mallory', usage: 'client' });

let api: ApiServerHandle;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'st-authn-'));
  api = await startApiServer({
    name: 'authn',
    dataDir: dir,
    tls: { certPem: serving.certPem, keyPem: serving.keyPem, caPem: ca.certPem, clientCaPem: ca.certPem },
  });
});
afterAll(async () => {
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function get(o: { cert?: { certPem: string; keyPem: string }; token?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${api.url}/api/v1/namespaces`,
      {
        ca: ca.certPem,
        agent: false,
        ...(o.cert ? { cert: o.cert.certPem, key: o.cert.keyPem } : {}),
        headers: o.token ? { Authorization: `Bearer ${o.token}` } : {},
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('authentication', () => {
  it('a valid client certificate authenticates even with a wrong bearer token', async () => {
    expect(await get({ cert: admin, token: 'not-a-valid-token' })).toBe(200);
    expect(await get({ cert: admin })).toBe(200);
  });

  it('without a certificate the token decides; a certificate from another CA does not count', async () => {
    expect(await get({ token: 'not-a-valid-token' })).toBe(401);
    expect(await get({ token: api.adminToken })).toBe(200);
    expect(await get({})).toBe(401);
    expect(await get({ cert: stranger, token: 'not-a-valid-token' })).toBe(401);
  });
});

// The one X.509 issuer (src/core/pki) serves the engine, the simulator and the tests: a key
// made elsewhere (the simulator's pool) is the key the certificate carries, and the sim's
// and tests' helpers produce certificates that chain to their CA.
import { X509Certificate, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCA, generateKeyAsync, issueCert } from '../../src/core/pki/index.js';
import { createLocalCa, issueLocalCert } from '../../src/sim/apiserver/tls.js';
import { testCa } from '../support/etcd-server.js';

const spkiOf = (pem: string): string => createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('base64');

describe('one X.509 issuer', () => {
  it('uses a supplied key for a CA and a leaf', async () => {
    const caKey = await generateKeyAsync('rsa-2048');
    const ca = createCA('pooled', { key: caKey });
    expect(ca.keyPem).toBe(caKey.privateKeyPem);
    expect(spkiOf(new X509Certificate(ca.certPem).publicKey.export({ type: 'spki', format: 'pem' }).toString())).toBe(
      spkiOf(caKey.publicKeyPem),
    );
    const leafKey = await generateKeyAsync('ecdsa-p256');
    const leaf = issueCert(ca, { commonName: 'x', usage: 'client', key: leafKey });
    expect(leaf.keyPem).toBe(leafKey.privateKeyPem);
    expect(new X509Certificate(leaf.certPem).checkIssued(new X509Certificate(ca.certPem))).toBe(true);
  });

  it('serves the sim API server and the test etcd CA', () => {
    const local = createLocalCa('local');
    const srv = new X509Certificate(
      issueLocalCert(local, { commonName: 's', usage: 'server', altNames: ['10.0.0.9', 'node-1'] }).certPem,
    );
    expect(srv.checkIssued(new X509Certificate(local.certPem))).toBe(true);
    expect(srv.subjectAltName).toContain('IP Address:10.0.0.9');
    expect(srv.subjectAltName).toContain('DNS:node-1');
    expect(srv.subjectAltName).toContain('IP Address:127.0.0.1');
    const ca = testCa('etcd-ca');
    const peer = new X509Certificate(ca.issue('etcd-server', { server: true }).certPem);
    expect(peer.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(peer.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
  });
});

// Certificates checked with node:crypto (OpenSSL), independently of the forge code that built them.
import { X509Certificate, createPrivateKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCA, createServiceAccountKeyPair, expiryOf, issueCert } from '../../../src/core/pki/index.js';
import { UserError } from '../../../src/core/errors.js';

const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const OID_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const DAY = 24 * 3600_000;

const ca = createCA('kubernetes');
const caCert = new X509Certificate(ca.certPem);

describe('createCA', () => {
  it('is a self-signed CA valid for 10 years', () => {
    expect(caCert.ca).toBe(true);
    expect(caCert.subject).toBe('CN=kubernetes');
    expect(caCert.issuer).toBe('CN=kubernetes');
    expect(caCert.verify(caCert.publicKey)).toBe(true);
    const years = (new Date(caCert.validTo).getTime() - Date.now()) / (365 * DAY);
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);
    expect(new Date(caCert.validFrom).getTime()).toBeLessThanOrEqual(Date.now());
    expect(caCert.publicKey.asymmetricKeyType).toBe('rsa');
    expect(caCert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(caCert.checkPrivateKey(createPrivateKey(ca.keyPem))).toBe(true);
  });

  it('can be an ECDSA CA', () => {
    const ec = createCA('etcd-ca', { keyAlgorithm: 'ecdsa-p256' });
    const cert = new X509Certificate(ec.certPem);
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    const leaf = new X509Certificate(issueCert(ec, { commonName: 'x', usage: 'client' }).certPem);
    expect(leaf.verify(cert.publicKey)).toBe(true);
  });
});

describe('issueCert', () => {
  const server = issueCert(ca, {
    commonName: 'kube-apiserver',
    dnsNames: ['kubernetes', 'kubernetes.default.svc.cluster.local', 'localhost'],
    ipAddresses: ['127.0.0.1', '10.96.0.1', '::1'],
    usage: 'server',
  });
  const cert = new X509Certificate(server.certPem);

  it('chains to the CA', () => {
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.issuer).toBe(caCert.subject);
    expect(cert.ca).toBe(false);
  });

  it('carries the DNS and IP SANs', () => {
    const sans = cert.subjectAltName!.split(', ');
    expect(sans).toEqual([
      'DNS:kubernetes',
      'DNS:kubernetes.default.svc.cluster.local',
      'DNS:localhost',
      'IP Address:127.0.0.1',
      'IP Address:10.96.0.1',
      'IP Address:0:0:0:0:0:0:0:1',
    ]);
    expect(cert.checkHost('kubernetes.default.svc.cluster.local')).toBe('kubernetes.default.svc.cluster.local');
    expect(cert.checkIP('10.96.0.1')).toBe('10.96.0.1');
    expect(cert.checkHost('example.com')).toBeUndefined();
  });

  it('is valid from now (backdated a little) for 365 days', () => {
    const from = new Date(cert.validFrom).getTime();
    expect(from).toBeLessThanOrEqual(Date.now());
    expect(from).toBeGreaterThan(Date.now() - 10 * 60_000);
    const days = (new Date(cert.validTo).getTime() - Date.now()) / DAY;
    expect(days).toBeGreaterThan(364.9);
    expect(days).toBeLessThan(365.1);
    expect(expiryOf(server.certPem).getTime()).toBe(new Date(cert.validTo).getTime());
  });

  it('sets the extended key usages per usage', () => {
    expect(cert.keyUsage).toEqual([OID_SERVER_AUTH]);
    const client = new X509Certificate(issueCert(ca, { commonName: 'u', usage: 'client' }).certPem);
    expect(client.keyUsage).toEqual([OID_CLIENT_AUTH]);
    expect(client.subjectAltName).toBeUndefined();
    const both = new X509Certificate(issueCert(ca, { commonName: 'p', usage: 'server-client' }).certPem);
    expect([...both.keyUsage!].sort()).toEqual([OID_SERVER_AUTH, OID_CLIENT_AUTH]);
  });

  it('puts organizations in the subject (Kubernetes groups)', () => {
    const admin = new X509Certificate(
      issueCert(ca, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usage: 'client' }).certPem,
    );
    expect(admin.subject.split('\n')).toEqual(['O=system:masters', 'CN=kubernetes-admin']);
  });

  it('uses P-256 leaf keys by default and RSA on request, each matching its certificate', () => {
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.checkPrivateKey(createPrivateKey(server.keyPem))).toBe(true);
    expect(server.keyPem).toContain('BEGIN EC PRIVATE KEY');
    const rsa = issueCert(ca, { commonName: 'r', usage: 'server', keyAlgorithm: 'rsa-2048' });
    expect(rsa.keyPem).toContain('BEGIN RSA PRIVATE KEY');
    expect(new X509Certificate(rsa.certPem).checkPrivateKey(createPrivateKey(rsa.keyPem))).toBe(true);
  });

  it('gives every certificate its own serial', () => {
    const serials = new Set<string>();
    for (let i = 0; i < 200; i++)
      serials.add(new X509Certificate(issueCert(ca, { commonName: 'c', usage: 'client' }).certPem).serialNumber);
    expect(serials.size).toBe(200);
  });

  it('honours validityDays', () => {
    const short = issueCert(ca, { commonName: 's', usage: 'client', validityDays: 2 });
    const days = (expiryOf(short.certPem).getTime() - Date.now()) / DAY;
    expect(days).toBeGreaterThan(1.9);
    expect(days).toBeLessThan(2.1);
  });

  it('rejects bad input with a UserError naming the problem', () => {
    expect(() => issueCert(ca, { commonName: 'x', usage: 'server', ipAddresses: ['300.1.1.1'] })).toThrow(
      /not an IP address/,
    );
    expect(() => issueCert(ca, { commonName: 'x', usage: 'server', dnsNames: ['bad name'] })).toThrow(
      /not a valid DNS name/,
    );
    expect(() => issueCert(ca, { commonName: '', usage: 'server' })).toThrow(UserError);
    expect(() => issueCert(ca, { commonName: 'x', usage: 'server', validityDays: 0 })).toThrow(/validityDays/);
    const leaf = issueCert(ca, { commonName: 'leaf', usage: 'client' });
    expect(() => issueCert(leaf, { commonName: 'x', usage: 'client' })).toThrow(/not a CA/);
    const other = createCA('other', { keyAlgorithm: 'ecdsa-p256' });
    expect(() =>
      issueCert({ certPem: ca.certPem, keyPem: other.keyPem }, { commonName: 'x', usage: 'client' }),
    ).toThrow(/does not belong/);
    expect(() => expiryOf('not a cert')).toThrow(UserError);
  });
});

describe('createServiceAccountKeyPair', () => {
  it('returns a matching key pair', () => {
    const sa = createServiceAccountKeyPair();
    expect(sa.publicKeyPem).toContain('BEGIN PUBLIC KEY');
    expect(sa.privateKeyPem).toMatch(/BEGIN (EC|RSA) PRIVATE KEY/);
    const sig = sign('sha256', Buffer.from('token'), sa.privateKeyPem);
    expect(verify('sha256', Buffer.from('token'), sa.publicKeyPem, sig)).toBe(true);
    expect(verify('sha256', Buffer.from('other'), sa.publicKeyPem, sig)).toBe(false);
  });
});

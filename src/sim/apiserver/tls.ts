// The default serving identity: one CA and one loopback serving certificate per process,
// shared by every instance that is not given its own (the demo may run 1000 instances; each
// minting an RSA key would cost seconds). Instances differ by port and admin token.
// (The engine's PKI module mints the per-cluster certificates the demo passes in via `tls`.)
import { generateKeyPairSync } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';
import { randomSerialHex } from '../../core/pki/x509.js';

export interface ServingIdentity {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export interface LocalCa {
  certPem: string;
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

function keyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  // node:crypto generates the key natively (fast); forge only signs the certificates.
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e), pem: forge.pki.privateKeyToPem(key) };
}

function certificate(
  subject: forge.pki.CertificateField[],
  pub: forge.pki.rsa.PublicKey,
  years: number,
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = pub;
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + years * 365 * 24 * 3600_000);
  cert.setSubject(subject);
  return cert;
}

export function createLocalCa(commonName: string): LocalCa {
  const ca = keyPair();
  const cert = certificate([{ name: 'commonName', value: commonName }], ca.publicKey, 10);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(ca.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), cert, key: ca.privateKey };
}

export interface LocalCertParams {
  commonName: string;
  organizations?: string[];
  usage: 'server' | 'client';
  /** Extra server SANs: IP literals and DNS names (a lab node's address, say). */
  altNames?: string[];
}

/** A leaf certificate: 'server' for 127.0.0.1/localhost (+ altNames), 'client' with CN and O (user and groups). */
export function issueLocalCert(ca: LocalCa, p: LocalCertParams): { certPem: string; keyPem: string } {
  const kp = keyPair();
  const subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: p.commonName }];
  for (const o of p.organizations ?? []) subject.push({ name: 'organizationName', value: o });
  const cert = certificate(subject, kp.publicKey, 10);
  cert.setIssuer(ca.cert.subject.attributes);
  const exts: object[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    p.usage === 'server' ? { name: 'extKeyUsage', serverAuth: true } : { name: 'extKeyUsage', clientAuth: true },
  ];
  if (p.usage === 'server') {
    exts.push({
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 2, value: 'kubernetes' },
        { type: 2, value: 'kubernetes.default.svc' },
        { type: 7, ip: '127.0.0.1' },
        ...(p.altNames ?? []).map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })),
      ],
    });
  }
  cert.setExtensions(exts);
  cert.sign(ca.key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: kp.pem };
}

let shared: ServingIdentity | undefined;

export function defaultServingIdentity(): ServingIdentity {
  if (shared) return shared;
  const ca = createLocalCa('scale-tui-embedded-ca');
  const srv = issueLocalCert(ca, { commonName: 'scale-tui-embedded-apiserver', usage: 'server' });
  shared = { caPem: ca.certPem, certPem: srv.certPem, keyPem: srv.keyPem };
  return shared;
}

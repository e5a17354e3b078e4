// CAs and leaf certificates with the shapes kubeadm gives them (SEED-SCRIPTS §5): CAs for
// 10 years, leaves for 1 year by default, SHA-256 signatures, random serials.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import type forge from 'node-forge';
import { UserError } from '../errors.js';
import { generateKey, parsePrivateKey, publicKeyOf, type GeneratedKey, type KeyAlgorithm } from './keys.js';
import { buildCertificatePem, keyIdentifier, rawExtension, subjectDerOf, type Issuer } from './x509.js';

export interface CertKeyPair {
  certPem: string;
  keyPem: string;
}

export type CertUsage = 'server' | 'client' | 'server-client';

export interface CaOptions {
  /** Default 3650 (kubeadm's 10 years). */
  validityDays?: number;
  /** Default rsa-2048 (see keys.ts for why CAs stay RSA). */
  keyAlgorithm?: KeyAlgorithm;
  /** A key made beforehand (the simulator's pool); keyAlgorithm is then ignored. */
  key?: GeneratedKey;
}

export interface IssueOptions {
  commonName: string;
  /** Subject O values: Kubernetes reads them as the user's groups. */
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usage: CertUsage;
  /** Default 365 (kubeadm's leaf lifetime). */
  validityDays?: number;
  /** Default ecdsa-p256 (see keys.ts). */
  keyAlgorithm?: KeyAlgorithm;
  /** A key made beforehand (the simulator's pool); keyAlgorithm is then ignored. */
  key?: GeneratedKey;
}

const DAY_MS = 24 * 3600_000;
// Backdated so a peer whose clock runs a little behind still accepts a fresh certificate.
const CLOCK_SKEW_MS = 5 * 60_000;

function validity(days: number, what: string): { notBefore: Date; notAfter: Date } {
  if (!Number.isInteger(days) || days < 1 || days > 36500) {
    throw new UserError(
      `${what}: validityDays must be an integer from 1 to 36500, got ${String(days)}`,
      'pass a whole number of days, e.g. 365',
    );
  }
  // X.509 stores whole seconds; truncating here keeps expiryOf() equal to what we computed.
  const now = Math.floor(Date.now() / 1000) * 1000;
  return { notBefore: new Date(now - CLOCK_SKEW_MS), notAfter: new Date(now + days * DAY_MS) };
}

function requireName(value: string, what: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UserError(
      `${what} must be a non-empty string`,
      'give the certificate a common name, e.g. kube-apiserver',
    );
  }
}

const DNS_NAME = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i;

function subjectAltNames(dnsNames: string[], ipAddresses: string[]): object[] {
  const altNames: object[] = [];
  for (const name of new Set(dnsNames)) {
    if (!DNS_NAME.test(name) || name.length > 253) {
      throw new UserError(
        `"${name}" is not a valid DNS name for a certificate SAN`,
        'use lower-case labels separated by dots (IP addresses go in ipAddresses)',
      );
    }
    altNames.push({ type: 2, value: name });
  }
  for (const ip of new Set(ipAddresses)) {
    if (isIP(ip) === 0)
      throw new UserError(
        `"${ip}" is not an IP address`,
        'give IPv4 (10.0.0.1) or IPv6 (::1) addresses; DNS names go in dnsNames',
      );
    altNames.push({ type: 7, ip });
  }
  return altNames;
}

function subject(commonName: string, organizations: string[] = []): forge.pki.CertificateField[] {
  return [
    ...organizations.map((value) => ({ name: 'organizationName', value })),
    { name: 'commonName', value: commonName },
  ];
}

export function createCA(commonName: string, opts: CaOptions = {}): CertKeyPair {
  requireName(commonName, 'CA common name');
  const key = opts.key ?? generateKey(opts.keyAlgorithm ?? 'rsa-2048');
  const certPem = buildCertificatePem({
    subject: subject(commonName),
    publicKey: key.publicKey,
    ...validity(opts.validityDays ?? 3650, `CA ${commonName}`),
    selfKey: key.privateKey,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, cRLSign: true, critical: true },
      rawExtension('subjectKeyIdentifier', keyIdentifier(key.publicKey)),
    ],
  });
  return { certPem, keyPem: key.privateKeyPem };
}

// Parsing the CA (cert, key, subject bytes) per issued certificate would dominate the cost of
// a 1000-cluster run; CAs are few, so their parsed form is kept.
const issuers = new Map<string, Issuer>();

function issuerOf(ca: CertKeyPair): Issuer {
  const cacheKey = ca.certPem + ca.keyPem;
  const hit = issuers.get(cacheKey);
  if (hit) return hit;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(ca.certPem);
  } catch (err) {
    throw new UserError(
      `the CA certificate is not a PEM X.509 certificate (${(err as Error).message})`,
      'pass the tls.crt of a CA created by createCA or kubeadm',
    );
  }
  if (!cert.ca)
    throw new UserError(
      `certificate "${cert.subject}" is not a CA (basicConstraints CA:false)`,
      'sign with a CA certificate, not a leaf',
    );
  const key: KeyObject = parsePrivateKey(ca.keyPem, 'the CA key');
  if (!cert.checkPrivateKey(key)) {
    throw new UserError(
      `the CA key does not belong to CA certificate "${cert.subject}"`,
      'pass the tls.key that was created together with this tls.crt',
    );
  }
  const issuer: Issuer = { key, subjectDer: subjectDerOf(ca.certPem), keyId: keyIdentifier(publicKeyOf(key)) };
  if (issuers.size >= 256) issuers.delete(issuers.keys().next().value as string);
  issuers.set(cacheKey, issuer);
  return issuer;
}

export function issueCert(ca: CertKeyPair, opts: IssueOptions): CertKeyPair {
  requireName(opts.commonName, 'certificate common name');
  if (!['server', 'client', 'server-client'].includes(opts.usage)) {
    throw new UserError(
      `certificate usage "${String(opts.usage)}" is not known`,
      'use one of: server, client, server-client',
    );
  }
  const issuer = issuerOf(ca);
  const sans = subjectAltNames(opts.dnsNames ?? [], opts.ipAddresses ?? []);
  const key = opts.key ?? generateKey(opts.keyAlgorithm ?? 'ecdsa-p256');
  const server = opts.usage !== 'client';
  const client = opts.usage !== 'server';
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    // keyEncipherment only means something for RSA key transport; kubeadm sets it for RSA leaves.
    {
      name: 'keyUsage',
      digitalSignature: true,
      keyEncipherment: key.privateKey.asymmetricKeyType === 'rsa',
      critical: true,
    },
    { name: 'extKeyUsage', serverAuth: server, clientAuth: client },
    rawExtension('authorityKeyIdentifier', issuer.keyId),
  ];
  if (sans.length > 0) extensions.push({ name: 'subjectAltName', altNames: sans });
  const certPem = buildCertificatePem({
    subject: subject(opts.commonName, opts.organizations),
    publicKey: key.publicKey,
    ...validity(opts.validityDays ?? 365, `certificate ${opts.commonName}`),
    issuer,
    extensions,
  });
  return { certPem, keyPem: key.privateKeyPem };
}

/** notAfter of a PEM certificate: the source of the certificate-expiry annotation (SEED §15.16). */
export function expiryOf(certPem: string): Date {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new UserError(
      `cannot read the certificate expiry: not a PEM certificate (${(err as Error).message})`,
      'pass the tls.crt of the serving certificate that was minted',
    );
  }
  return new Date(cert.validTo);
}

export interface ServiceAccountKeyPair {
  publicKeyPem: string;
  privateKeyPem: string;
}

/** The key pair kube-apiserver signs and verifies service-account tokens with (stored as `<cluster>-sa`). */
export function createServiceAccountKeyPair(algorithm: KeyAlgorithm = 'ecdsa-p256'): ServiceAccountKeyPair {
  const key = generateKey(algorithm);
  return { publicKeyPem: key.publicKeyPem, privateKeyPem: key.privateKeyPem };
}

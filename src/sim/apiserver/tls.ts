// The default serving identity: one CA and one loopback serving certificate per process,
// shared by every instance that is not given its own (the demo may run 1000 instances; each
// minting an RSA key would cost seconds). Instances differ by port and admin token.
// Certificates come from the project's one X.509 issuer (src/core/pki); this module only
// names the local shapes: a CA, and leaves valid for loopback plus any extra names.
import { isIP } from 'node:net';
import { type CertKeyPair, createCA, issueCert } from '../../core/pki/index.js';

export interface ServingIdentity {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** A CA's certificate and key in PEM. */
export type LocalCa = CertKeyPair;

export function createLocalCa(commonName: string): LocalCa {
  return createCA(commonName);
}

export interface LocalCertParams {
  commonName: string;
  organizations?: string[];
  usage: 'server' | 'client';
  /** Extra server SANs: IP literals and DNS names (a lab node's address, say). */
  altNames?: string[];
}

// The names a client may dial an in-cluster or loopback API server by.
const LOOPBACK_DNS = ['localhost', 'kubernetes', 'kubernetes.default.svc'];

/** A leaf certificate: 'server' for 127.0.0.1/localhost (+ altNames), 'client' with CN and O (user and groups). */
export function issueLocalCert(ca: LocalCa, p: LocalCertParams): CertKeyPair {
  const extra = p.altNames ?? [];
  const server = p.usage === 'server';
  return issueCert(ca, {
    commonName: p.commonName,
    organizations: p.organizations,
    usage: p.usage,
    validityDays: 3650,
    // RSA like kind's and kubeadm's default leaves, as these certificates always were.
    keyAlgorithm: 'rsa-2048',
    dnsNames: server ? [...LOOPBACK_DNS, ...extra.filter((n) => isIP(n) === 0)] : [],
    ipAddresses: server ? ['127.0.0.1', ...extra.filter((n) => isIP(n) !== 0)] : [],
  });
}

let shared: ServingIdentity | undefined;

export function defaultServingIdentity(): ServingIdentity {
  if (shared) return shared;
  const ca = createLocalCa('scale-tui-embedded-ca');
  const srv = issueLocalCert(ca, { commonName: 'scale-tui-embedded-apiserver', usage: 'server' });
  shared = { caPem: ca.certPem, certPem: srv.certPem, keyPem: srv.keyPem };
  return shared;
}

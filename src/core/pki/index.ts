// Public surface of the PKI adapter (DESIGN §2: CAs, serving/client certs, SA keys).
export type { GeneratedKey, KeyAlgorithm } from './keys.js';
export { generateKey, generateKeyAsync, keyFromPem } from './keys.js';
export { createCA, issueCert, expiryOf, createServiceAccountKeyPair } from './certs.js';
export type { CertKeyPair, CertUsage, CaOptions, IssueOptions, ServiceAccountKeyPair } from './certs.js';
export { renderKubeconfig } from './kubeconfig.js';
export type { KubeconfigParams } from './kubeconfig.js';
export { writePrivateFile } from './files.js';

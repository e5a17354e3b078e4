// Re-exports of the pure manifest generators. Nothing here performs I/O.
export * from './types.js';
export * from './labels.js';
export * from './cluster.js';
export * from './hosts.js';
export * from './pki-secrets.js';
export * from './workload.js';
export * from './namespace.js';
export * from './etcd.js';
export * from './apiserver.js';

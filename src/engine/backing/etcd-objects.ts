// Everything `backing add` creates in etcd-system, composed from the pure generators in
// src/manifests (namespace, etcd Secrets, Services, StatefulSet with a PersistentVolume).
// PEMs and the generated root password come from the caller; the CA key never leaves
// the experiment's state dir.
import { ETCD, ETCD_NAMESPACE, etcdObjects as etcdWorkload, etcdSecrets } from '../../manifests/etcd.js';
import { namespaceObject } from '../../manifests/namespace.js';
import type { Ownership } from '../../manifests/labels.js';
import type { KubeObject } from '../../manifests/types.js';
import type { EtcdPki } from './etcd-pki.js';

export { ETCD };

export interface EtcdObjectsParams {
  ownership: Ownership;
  pki: Pick<EtcdPki, 'ca' | 'server' | 'peer' | 'rootClient'>;
  rootPassword: string;
  storageClassName?: string;
}

export function etcdObjects(p: EtcdObjectsParams): KubeObject[] {
  return [
    namespaceObject(ETCD_NAMESPACE, p.ownership),
    ...etcdSecrets({
      caCert: p.pki.ca.cert,
      server: p.pki.server,
      peer: p.pki.peer,
      rootClient: p.pki.rootClient,
      rootPassword: p.rootPassword,
      ownership: p.ownership,
    }),
    ...etcdWorkload({
      ownership: p.ownership,
      storage: p.storageClassName ? { storageClassName: p.storageClassName } : undefined,
    }),
  ];
}

// How CAPI and the engine reach each workload API (SEED §3.5, §15.12):
// - port-forward: CAPI dials endpoint.host:basePort+N, served by an in-process forwarder
//   the engine supervises; the forwarder's upstream is the apiserver Service (its NodePort
//   on the site, or any other dialer such as a kube port-forward stream).
// - nodeport: CAPI dials the site's node address at a fixed NodePort (nodePortBase+N),
//   so the endpoint is known before the Service exists.
import type { Dialer } from '../forward/forwarder.js';
import type { Endpoint } from './objects.js';
import type { Site } from '../topology/types.js';

export type WorkloadReach =
  | {
      mode: 'port-forward';
      /** Address the forwarders listen on and CAPI dials (a SAN of every serving cert). */
      host: string;
      basePort: number;
      /** Upstream for a cluster's apiserver; default: TCP to the Service's NodePort on the site. */
      dialer?: (site: Site, namespace: string, nodePort: number | undefined) => Dialer;
    }
  | { mode: 'nodeport'; nodePortBase: number };

export function endpointFor(reach: WorkloadReach, site: Site | undefined, number: number): Endpoint {
  if (reach.mode === 'port-forward') return { host: reach.host, port: reach.basePort + number };
  if (!site) throw new Error('nodeport reach needs a site');
  return { host: site.nodeHost, port: reach.nodePortBase + number };
}

export function maxNumberFor(reach: WorkloadReach): number {
  return reach.mode === 'port-forward' ? 65535 - reach.basePort : 32767 - reach.nodePortBase;
}

// doctor's check that the workload API endpoint is one the controllers can dial: they run
// in pods on the management cluster's nodes, so the endpoint must be an address of this
// machine on those nodes' network (a forwarder binds it), never loopback unless the nodes
// are this machine's own loopback (the embedded cluster). addresses.ts derives it.
import { createServer } from 'node:net';
import type { ExperimentConfig } from '../config/schema.js';
import type { KubeClient } from '../../core/kube/client.js';
import { AUTO_HOST, endpointHostFor, isLoopback, nodePortHost } from '../topology/addresses.js';
import type { UserError } from '../../core/errors.js';
import type { CheckResult } from './check-result.js';

function canBind(host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', (err) => resolve(err.message));
    s.listen(0, host, () => s.close(() => resolve(undefined)));
  });
}

export async function checkEndpointReach(
  client: KubeClient,
  endpoint: ExperimentConfig['endpoint'],
): Promise<CheckResult> {
  const name = 'workload endpoint';
  const apiHost = new URL(client.server).hostname.replace(/^\[|\]$/g, '');
  let node: string;
  try {
    node = await nodePortHost(client, apiHost);
  } catch (err) {
    return {
      name,
      status: 'warn',
      detail: `cannot list Nodes: ${(err as Error).message.split('\n')[0]}`,
      fix: 'Give the kubeconfig read access to Nodes, or set endpoint.host explicitly.',
    };
  }
  if (endpoint.mode === 'nodeport') {
    return { name, status: 'ok', detail: `nodeport mode: the controllers dial Services at node ${node}` };
  }
  let host: string;
  try {
    host = endpointHostFor(endpoint.host, node);
  } catch (err) {
    const e = err as UserError;
    return { name, status: 'fail', detail: e.message, fix: e.hint };
  }
  if (isLoopback(host) && !isLoopback(node)) {
    return {
      name,
      status: 'fail',
      detail: `endpoint.host ${host} is loopback, but the controllers run on node ${node}: inside their pods ${host} is the pod itself`,
      fix: `Set endpoint.host to "${AUTO_HOST}" (the default) or to this machine's address on the network of ${node}.`,
    };
  }
  const bindError = await canBind(host);
  if (bindError) {
    return {
      name,
      status: 'fail',
      detail: `the forwarders cannot listen on ${host}: ${bindError}`,
      fix: `endpoint.host must be an address of this machine; "${AUTO_HOST}" picks the one on the network of ${node}.`,
    };
  }
  return {
    name,
    status: 'ok',
    detail: `controllers on node ${node} dial ${host}:${endpoint.basePort}+N (this machine)`,
  };
}

// Endpoint and NodePort addresses are derived from the environment, as seen from where
// each side dials (addresses.ts). Interfaces are given as data: this machine's own would
// make the test depend on where it runs.
import { describe, expect, it } from 'vitest';
import type { NetworkInterfaceInfo } from 'node:os';
import { configSchema } from '../../../src/engine/config/schema.js';
import { UserError } from '../../../src/core/errors.js';
import {
  endpointHostFor,
  isLoopback,
  localAddressFacing,
  pickNodeAddress,
} from '../../../src/engine/topology/addresses.js';
import type { KubeObject } from '../../../src/manifests/types.js';

function iface(address: string, cidr: string, internal = false): NetworkInterfaceInfo {
  const v6 = address.includes(':');
  return {
    address,
    cidr,
    internal,
    family: v6 ? 'IPv6' : 'IPv4',
    netmask: '',
    mac: '00:00:00:00:00:00',
    ...(v6 ? { scopeid: 0 } : {}),
  } as NetworkInterfaceInfo;
}

// A test VM running kind: loopback, its LAN, docker0 and kind's bridge.
const VM = {
  lo: [iface('127.0.0.1', '127.0.0.1/8', true)],
  eth0: [iface('10.201.10.56', '10.201.10.56/24')],
  docker0: [iface('172.17.0.1', '172.17.0.1/16')],
  'br-kind': [iface('172.18.0.1', '172.18.0.1/16'), iface('fc00:f853:ccd:e793::1', 'fc00:f853:ccd:e793::1/64')],
};

function node(name: string, ip: string, ready = true): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  } as KubeObject;
}

describe('workload API addresses', () => {
  it('defaults endpoint.host to auto, not the loopback a controller pod cannot leave', () => {
    expect(configSchema.parse({}).endpoint.host).toBe('auto');
  });

  it("auto resolves to this machine's address on the kind nodes' network (the gateway)", () => {
    expect(endpointHostFor('auto', '172.18.0.3', VM)).toBe('172.18.0.1');
    expect(endpointHostFor('auto', 'fc00:f853:ccd:e793::3', VM)).toBe('fc00:f853:ccd:e793::1');
    // A node on the VM's own LAN (a remote management cluster) is reached via that LAN.
    expect(endpointHostFor('auto', '10.201.10.77', VM)).toBe('10.201.10.56');
  });

  it('an explicit endpoint.host is kept as given', () => {
    expect(endpointHostFor('10.201.10.56', '172.18.0.3', VM)).toBe('10.201.10.56');
  });

  it('a node on no local network gives one error with a fix, not a silent 127.0.0.1', () => {
    const err = (() => {
      try {
        endpointHostFor('auto', '192.0.2.10', VM);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/192\.0\.2\.10/);
    expect((err as UserError).hint).toMatch(/endpoint\.host/);
  });

  it("the embedded cluster's loopback node stays on loopback", () => {
    expect(localAddressFacing('127.0.0.1', VM)).toBe('127.0.0.1');
    expect(isLoopback('127.0.0.1') && isLoopback('::1') && !isLoopback('172.18.0.1')).toBe(true);
  });

  it("picks the first Ready node's InternalIP by name, skipping NotReady ones", () => {
    expect(
      pickNodeAddress([
        node('kind-control-plane3', '172.18.0.4'),
        node('kind-control-plane', '172.18.0.2', false),
        node('kind-control-plane2', '172.18.0.3'),
      ]),
    ).toBe('172.18.0.3');
    expect(pickNodeAddress([])).toBeUndefined();
  });
});

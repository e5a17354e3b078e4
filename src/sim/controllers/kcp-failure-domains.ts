// Where KCP puts a new control-plane Machine and which one it takes away, by failure domain
// (CAPI v1.14.0: pkg/control_plane.go FailureDomains, NextFailureDomainForScaleUp,
// MachineInFailureDomainWithMostMachines; util/failuredomains PickFewest and PickMost).
// The failure domains are the Cluster's status.failureDomains marked controlPlane (CAPI copies
// them from the infrastructure cluster, e.g. a Metal3Cluster's spec.failureDomains).
// Without any, a new Machine has no failure domain and the oldest eligible Machine goes.
//
// Upstream breaks a tie between equal domains by map order (some randomness to spread many
// clusters); here a tie goes to the name that sorts first, so a run can be repeated.
import { field, type Obj } from './helpers.js';

interface FailureDomain {
  name: string;
  controlPlane?: boolean;
}

const domainOf = (m: Obj) => field<string>(m, 'spec', 'failureDomain') ?? '';
const createdAt = (m: Obj) => Date.parse(m.metadata.creationTimestamp ?? '') || 0;

/** collections.Machines.Oldest (ties, within the API's one-second resolution, by name). */
export function oldest(machines: Obj[]): Obj | undefined {
  return [...machines].sort((a, b) => createdAt(a) - createdAt(b) || a.metadata.name.localeCompare(b.metadata.name))[0];
}

/** ControlPlane.FailureDomains: the Cluster's failure domains fit for control-plane Machines. */
export function controlPlaneFailureDomains(cluster: Obj): string[] {
  const list = field<FailureDomain[]>(cluster, 'status', 'failureDomains');
  return Array.isArray(list) ? list.filter((d) => d.controlPlane === true).map((d) => d.name) : [];
}

/** countByFailureDomain, sorted fewest first (priority machines, then all machines, then name). */
function byCount(
  domains: string[],
  all: Obj[],
  priority: Obj[],
): Array<{ name: string; priority: number; all: number }> {
  const count = (list: Obj[], d: string) => list.filter((m) => domainOf(m) === d).length;
  return domains
    .map((name) => ({ name, priority: count(priority, name), all: count(all, name) }))
    .sort((a, b) => a.priority - b.priority || a.all - b.all || a.name.localeCompare(b.name));
}

/** NextFailureDomainForScaleUp: the domain with the fewest up-to-date, not deleting Machines. */
export function nextFailureDomainForScaleUp(domains: string[], all: Obj[], upToDateLive: Obj[]): string | undefined {
  if (domains.length === 0) return undefined;
  return byCount(domains, all, upToDateLive)[0]?.name;
}

/**
 * MachineInFailureDomainWithMostMachines: a Machine outside the known domains goes first (the
 * oldest such one's domain); otherwise the domain with the most eligible Machines (then the
 * most Machines); of that domain's eligible Machines, the oldest.
 */
export function machineInFailureDomainWithMostMachines(
  domains: string[],
  all: Obj[],
  eligible: Obj[],
): Obj | undefined {
  const outside = eligible.filter((m) => !domains.includes(domainOf(m)));
  let domain: string;
  if (outside.length > 0) domain = domainOf(oldest(outside)!);
  else {
    // PickMost: most eligible Machines, then most Machines; only a domain with an eligible one.
    const most = byCount(domains, all, eligible)
      .sort((a, b) => b.priority - a.priority || b.all - a.all || a.name.localeCompare(b.name))
      .find((d) => d.priority > 0);
    domain = most?.name ?? '';
  }
  return oldest(eligible.filter((m) => domainOf(m) === domain));
}

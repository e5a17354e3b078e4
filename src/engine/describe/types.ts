// What the cluster detail page shows, as plain data: the object tree with conditions, the
// namespace's events, the cluster's Secrets by name, and whether its endpoint answers.
// The UI renders it; the engine's describe adapter fills it from the management cluster.

export interface ConditionRow {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  /** Epoch ms of lastTransitionTime, when given. */
  since?: number;
}

export interface ObjectNode {
  kind: string;
  name: string;
  /** status.phase, a BareMetalHost's provisioning state, or undefined. */
  phase?: string;
  createdAt?: number;
  conditions: ConditionRow[];
  children: ObjectNode[];
}

export interface EventRow {
  t: number;
  type: string;
  reason: string;
  object: string;
  message: string;
  count: number;
}

export interface ClusterDescription {
  cluster: string;
  namespace: string;
  fetchedAt: number;
  /** Cluster at the root; objects no owner reference ties in hang under it. */
  tree?: ObjectNode;
  secrets: string[];
  events: EventRow[];
  endpoint?: string;
  /** undefined: not probed (no endpoint yet). */
  endpointAnswers?: boolean;
  endpointNote?: string;
  /** What could not be read (a kind not served, a deadline passed), one line each. */
  errors: string[];
  /** Farm topology: the faults in force on the cluster's API (`none`), else absent. */
  farmFault?: string;
}

/** The engine side of the detail page: one namespace's objects, fetched on demand. */
export interface ClusterDescriber {
  describe(cluster: string, namespace: string): Promise<ClusterDescription>;
}

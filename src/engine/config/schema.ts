// The experiment config file. Defaults reproduce the seed's experiment, moved to the
// provider versions in ../shared/crds/VERSIONS.md.
import { z } from 'zod';
import { TOPOLOGIES } from '../../core/types.js';

const dnsLabel = z
  .string()
  .regex(
    /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
    'must be a DNS label: lower-case letters, digits and "-", starting with a letter',
  )
  .max(40);

/** A pinned release tag, vMAJOR.MINOR.PATCH, defaulting to `pin`. */
const version = (pin: string) =>
  z
    .string()
    .regex(/^v\d+\.\d+\.\d+$/)
    .default(pin);

export const backingClusterSchema = z.strictObject({
  name: dnsLabel,
  kubeconfig: z.string().min(1),
  context: z.string().min(1).optional(),
  capacity: z.int().min(1).max(10000).default(100),
});

export const configSchema = z.strictObject({
  management: z
    .strictObject({
      kindName: dnsLabel.default('kind'),
      nodes: z.int().min(1).max(7).default(3),
      kubeconfig: z.string().min(1).optional(),
      context: z.string().min(1).optional(),
    })
    .prefault({}),
  topology: z.enum(TOPOLOGIES).default('backing'),
  providers: z
    .strictObject({
      capi: version('v1.14.0'),
      capm3: version('v1.13.2'),
      ipam: version('v1.13.2'),
      bmo: version('v0.13.2'),
      certManager: version('v1.19.1'),
      metricsServer: version('v0.8.0'),
    })
    .prefault({}),
  cluster: z
    .strictObject({
      // The seed used v1.25.3, which CAPI v1.14's KCP no longer accepts.
      kubernetesVersion: z
        .string()
        .regex(/^v\d+\.\d+\.\d+$/)
        .default('v1.34.1'),
      imageUrl: z.string().min(1).default('http://172.22.0.1/images/rhcos-ootpa-latest.qcow2'),
      imageChecksum: z.string().min(1).default('97830b21ed272a3d854615beb54cf004'),
      imageChecksumType: z.enum(['md5', 'sha256', 'sha512']).default('md5'),
      imageFormat: z.enum(['raw', 'qcow2', 'vdi', 'vmdk', 'live-iso']).default('raw'),
      podCidr: z.string().default('192.168.0.0/18'),
      serviceCidr: z.string().default('10.96.0.0/12'),
      /** Bytes of filler in KCP.spec.kubeadmConfigSpec.files (the seed's 30 kB cloud-init test); 0 = none. */
      extraFileBytes: z.int().min(0).max(1_000_000).default(0),
    })
    .prefault({}),
  naming: z.strictObject({ prefix: dnsLabel.default('test') }).prefault({}),
  batch: z
    .strictObject({
      size: z.int().min(1).max(1000).default(10),
      concurrency: z.int().min(1).max(500).default(10),
    })
    .prefault({}),
  endpoint: z
    .strictObject({
      mode: z.enum(['port-forward', 'nodeport']).default('port-forward'),
      /**
       * The address CAPI dials for port-forwarded workload APIs; it goes into the serving
       * cert SANs. `auto`: this machine's address on the management nodes' network (kind's
       * gateway), since 127.0.0.1 inside a controller pod is the pod itself.
       */
      host: z.string().min(1).default('auto'),
      basePort: z.int().min(1024).max(55000).default(10000),
    })
    .prefault({}),
  sharded: z.strictObject({ shards: z.int().min(1).max(100).default(10) }).prefault({}),
  /**
   * The farm topology's in-process farm (used when no remote farm was added with
   * `scale-tui farm add`): one TLS listener per workload cluster from basePort, on the
   * endpoint host (what the management cluster's pods reach).
   */
  farm: z
    .strictObject({
      basePort: z.int().min(1024).max(60000).default(20000),
      capacity: z.int().min(1).max(10000).default(1000),
    })
    .prefault({}),
  backingClusters: z.array(backingClusterSchema).default([]),
  /** Per-run state (journal, keys, kubeconfigs); written with 0600/0700. */
  stateDir: z.string().min(1).default('.scale-tui'),
});

export type ExperimentConfig = z.infer<typeof configSchema>;
export type BackingClusterConfig = z.infer<typeof backingClusterSchema>;

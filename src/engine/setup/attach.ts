// `setup --attach`: use an existing management cluster. Verifies that every piece setup
// would install is there and healthy, and reports what is missing and how to get it.
import { CONTROLLERS } from '../../core/tune/flags.js';
import { CONTROLLER_IDS, type Topology } from '../../core/types.js';
import { CAPD_DEPLOYMENT, CAPD_NAMESPACE } from '../topology/capd.js';
import type { CheckResult } from './check-result.js';
import {
  CERT_MANAGER,
  METRICS_SERVER,
  PROVIDER_CRDS,
  containerArgs,
  crdPending,
  deploymentPending,
  type SetupKube,
} from './conditions.js';
import { bmoTestModeIn } from './bmo.js';

const CAPD_CRDS = [
  'clusters.cluster.x-k8s.io',
  'clusterclasses.cluster.x-k8s.io',
  'machines.cluster.x-k8s.io',
  'kubeadmcontrolplanes.controlplane.cluster.x-k8s.io',
  'dockerclustertemplates.infrastructure.cluster.x-k8s.io',
  'dockermachinetemplates.infrastructure.cluster.x-k8s.io',
];

/** capd comparison: CAPI core, kubeadm providers and CAPD; no Metal3 pieces. */
async function verifyCapd(kube: SetupKube): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const fix =
    'Run CLUSTER_TOPOLOGY=true clusterctl init --infrastructure=docker (or scale-tui setup with topology capd).';
  for (const crd of CAPD_CRDS) {
    const p = await crdPending(kube, crd);
    out.push(
      p
        ? { name: `crd ${crd}`, status: 'fail', detail: p, fix }
        : { name: `crd ${crd}`, status: 'ok', detail: 'established' },
    );
  }
  const deps = [
    ...(['capi', 'kubeadm-bootstrap', 'kcp'] as const).map((id) => ({
      name: id as string,
      namespace: CONTROLLERS[id].namespace,
      deployment: CONTROLLERS[id].deployment,
    })),
    { name: 'capd', namespace: CAPD_NAMESPACE, deployment: CAPD_DEPLOYMENT },
  ];
  for (const d of deps) {
    const p = await deploymentPending(kube, d.namespace, d.deployment);
    out.push(
      p
        ? { name: d.name, status: 'fail', detail: p, fix }
        : { name: d.name, status: 'ok', detail: `${d.namespace}/${d.deployment} available` },
    );
  }
  return out;
}

export async function verifyAttach(kube: SetupKube, topology: Topology = 'backing'): Promise<CheckResult[]> {
  if (topology === 'capd') return verifyCapd(kube);
  const out: CheckResult[] = [];
  for (const crd of PROVIDER_CRDS) {
    const p = await crdPending(kube, crd);
    out.push(
      p
        ? {
            name: `crd ${crd}`,
            status: 'fail',
            detail: p,
            fix:
              crd.endsWith('metal3.io') && crd.startsWith('bare')
                ? 'Install the BMO CRDs (scale-tui setup does it).'
                : 'Run clusterctl init --infrastructure=metal3 --ipam=metal3 (or scale-tui setup).',
          }
        : { name: `crd ${crd}`, status: 'ok', detail: 'established' },
    );
  }
  for (const dep of CERT_MANAGER.deployments) {
    const p = await deploymentPending(kube, CERT_MANAGER.namespace, dep);
    out.push(
      p
        ? {
            name: dep,
            status: 'fail',
            detail: p,
            fix: 'clusterctl init installs cert-manager; check its pods: kubectl -n cert-manager get pods.',
          }
        : { name: dep, status: 'ok', detail: 'available' },
    );
  }
  for (const id of CONTROLLER_IDS) {
    const c = CONTROLLERS[id];
    const p = await deploymentPending(kube, c.namespace, c.deployment);
    const fix =
      id === 'bmo'
        ? 'Deploy BMO in test mode (scale-tui setup does it).'
        : `Install the provider: clusterctl init ${id === 'ipam' ? '--ipam=metal3' : '--infrastructure=metal3'} (or scale-tui setup).`;
    out.push(
      p
        ? { name: id, status: 'fail', detail: p, fix }
        : { name: id, status: 'ok', detail: `${c.namespace}/${c.deployment} available` },
    );
  }
  const bmoArgs = await containerArgs(
    kube,
    CONTROLLERS.bmo.namespace,
    CONTROLLERS.bmo.deployment,
    CONTROLLERS.bmo.container,
  );
  // Either version's form counts (v0.13: --test-mode, v0.14+: -provisioner=fixture); a form
  // the running version rejects leaves its Deployment unavailable, which the check above reports.
  const testMode = bmoArgs ? bmoTestModeIn(bmoArgs) : undefined;
  if (bmoArgs && !testMode) {
    out.push({
      name: 'bmo test mode',
      status: 'fail',
      detail: 'BMO runs without --test-mode (v0.13) or -provisioner=fixture (v0.14+): it would try to reach Ironic',
      fix: 'Re-deploy BMO with scale-tui setup, or add the test-mode argument of its version to its args.',
    });
  } else if (testMode) {
    out.push({ name: 'bmo test mode', status: 'ok', detail: `${testMode} set` });
  }
  const ms = await deploymentPending(kube, METRICS_SERVER.namespace, METRICS_SERVER.deployment);
  out.push(
    ms
      ? {
          name: 'metrics-server',
          status: 'warn',
          detail: ms,
          fix: 'Without it there are no CPU/memory figures; scale-tui setup installs it.',
        }
      : { name: 'metrics-server', status: 'ok', detail: 'available' },
  );
  return out;
}

// BMO in test mode, derived for the pinned version instead of pasted from 2023.
//
// BMO v0.13 (main.go, config/base/manager.yaml): the manager container `manager` runs
// `/baremetal-operator` with `--enable-leader-election`; metrics are served securely on
// the default `--metrics-addr=:8443` (the Deployment exposes 8443/https); `--test-mode`
// disables Ironic. The seed's `--metrics-addr=127.0.0.1:8085` dates from the
// kube-rbac-proxy sidecar era and would now hide the metrics port, so it is only used for
// versions before v0.5.
export function bmoTestModeArgs(version: string): string[] {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  const minor = m ? Number(m[2]) : 13;
  const major = m ? Number(m[1]) : 0;
  if (major === 0 && minor < 5) return ['--metrics-addr=127.0.0.1:8085', '--enable-leader-election', '--test-mode'];
  return ['--enable-leader-election', '--test-mode'];
}

const BMO_REPO = 'https://github.com/metal3-io/baremetal-operator';

/** Remote kustomization of BMO's CRDs at the pinned tag (the seed used the default branch). */
export function bmoCrdKustomization(version: string): string {
  return `${BMO_REPO}/config/base/crds?ref=${version}`;
}

/**
 * A kustomization (files for a temp dir) that deploys BMO `config/default` at the pinned tag
 * with the test-mode args. A JSON6902 `replace` of the args keeps every other field.
 */
export function bmoTestModeKustomization(version: string): Record<string, string> {
  const args = bmoTestModeArgs(version);
  return {
    'kustomization.yaml': [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'namespace: baremetal-operator-system',
      'resources:',
      `- ${BMO_REPO}/config/default?ref=${version}`,
      'patches:',
      '- path: test-mode.yaml',
      '  target:',
      '    kind: Deployment',
      '    name: baremetal-operator-controller-manager',
      '',
    ].join('\n'),
    'test-mode.yaml': ['- op: replace', '  path: /spec/template/spec/containers/0/args', '  value:', ...args.map((a) => `  - ${JSON.stringify(a)}`), ''].join('\n'),
  };
}

export function metricsServerManifestUrl(version: string): string {
  return `https://github.com/kubernetes-sigs/metrics-server/releases/download/${version}/components.yaml`;
}

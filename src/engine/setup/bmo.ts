// BMO in test mode, derived for the configured version instead of pasted from 2023.
//
// BMO v0.13 (main.go, config/base/manager.yaml): the manager container `manager` runs
// `/baremetal-operator` with `--enable-leader-election`; metrics are served securely on
// the default `--metrics-addr=:8443` (the Deployment exposes 8443/https); `--test-mode`
// disables Ironic. The seed's `--metrics-addr=127.0.0.1:8085` dates from the
// kube-rbac-proxy sidecar era and would now hide the metrics port, so it is only used for
// versions before v0.5.
//
// BMO v0.14 (main.go at v0.14.0-beta.0 and -rc.0) loads provisioners as plugins and drops
// --test-mode and --demo-mode: `-provisioner NAME` picks one, `fixture` being the compiled-in
// test provisioner. Go's flag package rejects an unknown flag, so --test-mode on v0.14 makes
// the manager exit at start; the version decides which form is passed.

function bmoMinor(version: string): { major: number; minor: number } {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : { major: 0, minor: 13 };
}

/** True when this BMO version selects the fixture provisioner with -provisioner, not --test-mode. */
export function bmoUsesProvisionerFlag(version: string): boolean {
  const { major, minor } = bmoMinor(version);
  return major > 0 || minor >= 14;
}

/** The argument that puts this BMO version in test mode (fixture provisioner, no Ironic). */
export function bmoTestModeArg(version: string): string {
  return bmoUsesProvisionerFlag(version) ? '--provisioner=fixture' : '--test-mode';
}

export function bmoTestModeArgs(version: string): string[] {
  const { major, minor } = bmoMinor(version);
  if (major === 0 && minor < 5) return ['--metrics-addr=127.0.0.1:8085', '--enable-leader-election', '--test-mode'];
  return ['--enable-leader-election', bmoTestModeArg(version)];
}

/**
 * Which test-mode argument `args` carries, if any, in either version's form: `-test-mode`
 * (a Go bool flag: bare or =true) or `-provisioner fixture` (=fixture or a separate value),
 * each with one dash or two as Go's flag package accepts. The last occurrence wins, as in Go.
 */
export function bmoTestModeIn(args: readonly string[]): '--test-mode' | '--provisioner=fixture' | undefined {
  let testMode = false;
  let provisioner: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const m = /^--?([a-z-]+)(?:=(.*))?$/.exec(args[i]!);
    if (!m) continue;
    // Go's ParseBool spellings of true; a bare bool flag means true.
    if (m[1] === 'test-mode') testMode = m[2] === undefined || ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(m[2]);
    if (m[1] === 'provisioner') provisioner = m[2] ?? args[i + 1];
  }
  if (provisioner === 'fixture') return '--provisioner=fixture';
  return testMode ? '--test-mode' : undefined;
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
    'test-mode.yaml': [
      '- op: replace',
      '  path: /spec/template/spec/containers/0/args',
      '  value:',
      ...args.map((a) => `  - ${JSON.stringify(a)}`),
      '',
    ].join('\n'),
  };
}

export function metricsServerManifestUrl(version: string): string {
  return `https://github.com/kubernetes-sigs/metrics-server/releases/download/${version}/components.yaml`;
}

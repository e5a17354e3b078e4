// Hand-written minimal shapes of the core (non-CRD) kinds scale-tui generates. They are
// closed (unknown fields fail under 'reject') and cover the fields our generators use,
// with the enums and required fields of the real API (k8s.io/api core/v1, apps/v1,
// scheduling/v1). Not a full OpenAPI: enough that a misspelt or misplaced field fails.
import type { JSONSchemaProps } from '../../src/sim/apiserver/schema/types.js';

const str: JSONSchemaProps = { type: 'string' };
const int: JSONSchemaProps = { type: 'integer', format: 'int32' };
const bool: JSONSchemaProps = { type: 'boolean' };
const strMap: JSONSchemaProps = { type: 'object', additionalProperties: { type: 'string' } };
const strList: JSONSchemaProps = { type: 'array', items: str };
const quantity: JSONSchemaProps = {
  'x-kubernetes-int-or-string': true,
  pattern: '^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$',
};
const intOrString: JSONSchemaProps = { 'x-kubernetes-int-or-string': true };
const obj = (properties: Record<string, JSONSchemaProps>, required?: string[]): JSONSchemaProps => ({
  type: 'object',
  properties,
  ...(required ? { required } : {}),
});
const list = (items: JSONSchemaProps): JSONSchemaProps => ({ type: 'array', items });

const DNS1123_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const DNS1123_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';
const LABEL_KEY =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$';

/** ObjectMeta as scale-tui writes it: validated separately, since schemas skip root metadata. */
export const objectMetaShape: JSONSchemaProps = obj(
  {
    name: { type: 'string', pattern: DNS1123_SUBDOMAIN, maxLength: 253 },
    namespace: { type: 'string', pattern: DNS1123_LABEL, maxLength: 63 },
    labels: { type: 'object', additionalProperties: { type: 'string', pattern: LABEL_VALUE, maxLength: 63 } },
    annotations: strMap,
    finalizers: strList,
    ownerReferences: list(
      obj({ apiVersion: str, kind: str, name: str, uid: str, controller: bool }, ['apiVersion', 'kind', 'name', 'uid']),
    ),
  },
  ['name'],
);
export const LABEL_KEY_PATTERN = new RegExp(LABEL_KEY);

const root = (
  kind: string,
  apiVersion: string,
  fields: Record<string, JSONSchemaProps>,
  required: string[] = [],
): JSONSchemaProps =>
  obj(
    {
      apiVersion: { type: 'string', enum: [apiVersion] },
      kind: { type: 'string', enum: [kind] },
      metadata: { type: 'object' },
      ...fields,
    },
    ['apiVersion', 'kind', 'metadata', ...required],
  );

const keyToPath = obj({ key: str, path: str, mode: int }, ['key', 'path']);
const volume = obj(
  {
    name: str,
    secret: obj({ secretName: str, items: list(keyToPath), defaultMode: int, optional: bool }),
    configMap: obj({ name: str, items: list(keyToPath), defaultMode: int }),
    emptyDir: obj({ medium: str, sizeLimit: quantity }),
    persistentVolumeClaim: obj({ claimName: str, readOnly: bool }, ['claimName']),
  },
  ['name'],
);
const volumeMount = obj({ name: str, mountPath: str, subPath: str, readOnly: bool }, ['name', 'mountPath']);
const probe = obj({
  httpGet: obj({ host: str, path: str, port: intOrString, scheme: { type: 'string', enum: ['HTTP', 'HTTPS'] } }, [
    'port',
  ]),
  exec: obj({ command: strList }),
  tcpSocket: obj({ host: str, port: intOrString }, ['port']),
  initialDelaySeconds: int,
  periodSeconds: int,
  timeoutSeconds: int,
  failureThreshold: int,
  successThreshold: int,
});
const resources = obj({
  requests: { type: 'object', additionalProperties: quantity },
  limits: { type: 'object', additionalProperties: quantity },
});
const container = obj(
  {
    name: { type: 'string', pattern: DNS1123_LABEL },
    image: { type: 'string', minLength: 1 },
    imagePullPolicy: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'] },
    command: strList,
    args: strList,
    env: list(
      obj(
        {
          name: str,
          value: str,
          valueFrom: obj({
            fieldRef: obj({ apiVersion: str, fieldPath: str }, ['fieldPath']),
            secretKeyRef: obj({ name: str, key: str }, ['key']),
          }),
        },
        ['name'],
      ),
    ),
    ports: list(
      obj({ name: str, containerPort: int, protocol: { type: 'string', enum: ['TCP', 'UDP', 'SCTP'] } }, [
        'containerPort',
      ]),
    ),
    resources,
    volumeMounts: list(volumeMount),
    livenessProbe: probe,
    readinessProbe: probe,
    startupProbe: probe,
    terminationMessagePolicy: { type: 'string', enum: ['File', 'FallbackToLogsOnError'] },
  },
  ['name'],
);
const podSpec = obj(
  {
    nodeName: str,
    hostNetwork: bool,
    priorityClassName: str,
    priority: int,
    enableServiceLinks: bool,
    restartPolicy: { type: 'string', enum: ['Always', 'OnFailure', 'Never'] },
    terminationGracePeriodSeconds: { type: 'integer' },
    securityContext: obj({
      seccompProfile: obj({ type: { type: 'string', enum: ['RuntimeDefault', 'Unconfined', 'Localhost'] } }, ['type']),
      runAsUser: { type: 'integer' },
      runAsNonRoot: bool,
      fsGroup: { type: 'integer' },
    }),
    tolerations: list(
      obj({
        key: str,
        operator: { type: 'string', enum: ['Exists', 'Equal'] },
        value: str,
        effect: { type: 'string', enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
        tolerationSeconds: { type: 'integer' },
      }),
    ),
    containers: { ...list(container), minItems: 1 },
    initContainers: list(container),
    volumes: list(volume),
    serviceAccountName: str,
    automountServiceAccountToken: bool,
  },
  ['containers'],
);
const podTemplate = obj({ metadata: obj({ labels: strMap, annotations: strMap, name: str }), spec: podSpec }, ['spec']);
const labelSelector = obj({
  matchLabels: strMap,
  matchExpressions: list(obj({ key: str, operator: str, values: strList }, ['key', 'operator'])),
});
const time: JSONSchemaProps = { type: 'string', format: 'date-time' };
const condStatus: JSONSchemaProps = { type: 'string', enum: ['True', 'False', 'Unknown'] };

const podStatus = obj({
  phase: { type: 'string', enum: ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] },
  conditions: list(
    obj(
      {
        type: str,
        status: condStatus,
        lastProbeTime: { type: 'string', format: 'date-time', nullable: true },
        lastTransitionTime: time,
        reason: str,
        message: str,
      },
      ['type', 'status'],
    ),
  ),
  containerStatuses: list(
    obj(
      {
        name: str,
        image: str,
        imageID: str,
        containerID: str,
        ready: bool,
        started: bool,
        restartCount: int,
        lastState: obj({}),
        state: obj({ running: obj({ startedAt: time }), waiting: obj({ reason: str, message: str }) }),
      },
      ['name', 'image', 'imageID', 'ready', 'restartCount'],
    ),
  ),
  hostIP: str,
  hostIPs: list(obj({ ip: str }, ['ip'])),
  podIP: str,
  podIPs: list(obj({ ip: str }, ['ip'])),
  qosClass: { type: 'string', enum: ['Guaranteed', 'Burstable', 'BestEffort'] },
  startTime: time,
});

export const CORE_SHAPES: Record<string, JSONSchemaProps> = {
  'v1/Namespace': root('Namespace', 'v1', { spec: obj({ finalizers: strList }) }),
  'v1/Secret': root('Secret', 'v1', {
    type: str,
    data: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } },
    stringData: strMap,
    immutable: bool,
  }),
  'v1/ConfigMap': root('ConfigMap', 'v1', {
    data: strMap,
    binaryData: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } },
    immutable: bool,
  }),
  'v1/Service': root('Service', 'v1', {
    spec: obj({
      type: { type: 'string', enum: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] },
      clusterIP: str,
      selector: strMap,
      publishNotReadyAddresses: bool,
      ports: {
        ...list(
          obj(
            {
              name: str,
              port: { type: 'integer', minimum: 1, maximum: 65535 },
              targetPort: intOrString,
              nodePort: { type: 'integer', minimum: 1, maximum: 65535 },
              protocol: { type: 'string', enum: ['TCP', 'UDP', 'SCTP'] },
            },
            ['port'],
          ),
        ),
        minItems: 1,
      },
    }),
  }),
  'v1/Node': root('Node', 'v1', {
    spec: obj({
      podCIDR: str,
      podCIDRs: strList,
      providerID: str,
      unschedulable: bool,
      taints: list(obj({ key: str, value: str, effect: str }, ['key', 'effect'])),
    }),
    status: obj({
      addresses: list(
        obj(
          {
            type: { type: 'string', enum: ['Hostname', 'InternalIP', 'ExternalIP', 'InternalDNS', 'ExternalDNS'] },
            address: str,
          },
          ['type', 'address'],
        ),
      ),
      allocatable: { type: 'object', additionalProperties: quantity },
      capacity: { type: 'object', additionalProperties: quantity },
      conditions: list(
        obj(
          {
            type: str,
            status: condStatus,
            reason: str,
            message: str,
            lastHeartbeatTime: time,
            lastTransitionTime: time,
          },
          ['type', 'status'],
        ),
      ),
      daemonEndpoints: obj({ kubeletEndpoint: obj({ Port: int }, ['Port']) }),
      nodeInfo: obj(
        {
          architecture: str,
          bootID: str,
          containerRuntimeVersion: str,
          kernelVersion: str,
          kubeProxyVersion: str,
          kubeletVersion: str,
          machineID: str,
          operatingSystem: str,
          osImage: str,
          systemUUID: str,
        },
        [
          'architecture',
          'bootID',
          'containerRuntimeVersion',
          'kernelVersion',
          'kubeProxyVersion',
          'kubeletVersion',
          'machineID',
          'operatingSystem',
          'osImage',
          'systemUUID',
        ],
      ),
    }),
  }),
  'v1/Pod': root('Pod', 'v1', { spec: podSpec, status: podStatus }, ['spec']),
  /** The body of a pods/status patch: only status. */
  'v1/PodStatusPatch': obj({ status: podStatus }, ['status']),
  'apps/v1/Deployment': root(
    'Deployment',
    'apps/v1',
    {
      spec: obj(
        {
          replicas: int,
          selector: labelSelector,
          strategy: obj({ type: { type: 'string', enum: ['Recreate', 'RollingUpdate'] } }),
          template: podTemplate,
        },
        ['selector', 'template'],
      ),
    },
    ['spec'],
  ),
  'apps/v1/StatefulSet': root(
    'StatefulSet',
    'apps/v1',
    {
      spec: obj(
        {
          replicas: int,
          serviceName: str,
          podManagementPolicy: { type: 'string', enum: ['OrderedReady', 'Parallel'] },
          selector: labelSelector,
          template: podTemplate,
          persistentVolumeClaimRetentionPolicy: obj({
            whenDeleted: { type: 'string', enum: ['Retain', 'Delete'] },
            whenScaled: { type: 'string', enum: ['Retain', 'Delete'] },
          }),
          volumeClaimTemplates: list(
            obj(
              {
                metadata: obj({ name: str, labels: strMap }, ['name']),
                spec: obj(
                  {
                    accessModes: {
                      type: 'array',
                      items: {
                        type: 'string',
                        enum: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'],
                      },
                      minItems: 1,
                    },
                    storageClassName: str,
                    resources: obj(
                      { requests: { type: 'object', additionalProperties: quantity, required: ['storage'] } },
                      ['requests'],
                    ),
                  },
                  ['accessModes', 'resources'],
                ),
              },
              ['metadata', 'spec'],
            ),
          ),
        },
        ['selector', 'template', 'serviceName'],
      ),
    },
    ['spec'],
  ),
  'scheduling.k8s.io/v1/PriorityClass': root(
    'PriorityClass',
    'scheduling.k8s.io/v1',
    {
      value: int,
      globalDefault: bool,
      description: str,
      preemptionPolicy: { type: 'string', enum: ['PreemptLowerPriority', 'Never'] },
    },
    ['value'],
  ),
};

/** The core shape for an apiVersion/kind, or undefined for CRD-backed kinds. */
export function coreShapeFor(apiVersion: string, kind: string): JSONSchemaProps | undefined {
  return CORE_SHAPES[`${apiVersion}/${kind}`];
}

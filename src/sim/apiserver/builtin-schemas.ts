// Partial schemas for the compact CAPI/Metal3 registry (builtin-crds.ts), which otherwise serves
// its kinds without validation. They carry only the rules a writer in this project can break and
// a real kube-apiserver with the upstream CRDs enforces: today the BareMetalHost status enums
// (BMO v0.13.2's metal3.io_baremetalhosts.yaml), after a real server refused the emulated BMO's
// `status.errorType: ""` that the compact registry had let through. Every object level preserves
// unknown fields, so nothing is pruned that the full CRD would keep. With ../shared/crds loaded
// (crdDirs), the full schemas replace these.
import type { JSONSchemaProps } from './schema/types.js';

const open = (properties: Record<string, JSONSchemaProps>): JSONSchemaProps => ({
  type: 'object',
  'x-kubernetes-preserve-unknown-fields': true,
  properties,
});

const BMH_ERROR_TYPES = [
  'provisioned registration error',
  'registration error',
  'inspection error',
  'preparation error',
  'provisioning error',
  'power management error',
  'servicing error',
];
const BMH_OPERATIONAL_STATUSES = ['', 'OK', 'discovered', 'error', 'delayed', 'detached', 'servicing'];

const BARE_METAL_HOST: JSONSchemaProps = open({
  spec: open({
    automatedCleaningMode: { type: 'string', enum: ['metadata', 'disabled'] },
    bootMode: { type: 'string', enum: ['UEFI', 'UEFISecureBoot', 'legacy'] },
    online: { type: 'boolean' },
  }),
  status: open({
    errorType: { type: 'string', enum: BMH_ERROR_TYPES },
    operationalStatus: { type: 'string', enum: BMH_OPERATIONAL_STATUSES },
    errorCount: { type: 'integer' },
    errorMessage: { type: 'string' },
    poweredOn: { type: 'boolean' },
    provisioning: open({ state: { type: 'string' }, ID: { type: 'string' } }),
  }),
});

/** Partial schemas by `${group}/${kind}`. */
export const BUILTIN_SCHEMAS: Record<string, JSONSchemaProps> = {
  'metal3.io/BareMetalHost': BARE_METAL_HOST,
};

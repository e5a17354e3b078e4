// The subset of apiextensions.k8s.io/v1 JSONSchemaProps that structural CRD schemas use.
// Plain data as it appears in a CRD's `openAPIV3Schema`.
export interface JSONSchemaProps {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, JSONSchemaProps>;
  required?: string[];
  additionalProperties?: boolean | JSONSchemaProps;
  items?: JSONSchemaProps;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  nullable?: boolean;
  allOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: Array<{ rule: string; message?: string; messageExpression?: string; reason?: string }>;
}

/** The reasons kube-apiserver uses in `details.causes[].reason` of a 422 (k8s.io/apimachinery field.ErrorType). */
export type SchemaViolationReason =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueTypeInvalid'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueUnknown';

export interface SchemaViolation {
  /** Field path as kube-apiserver reports it: "spec.replicas", "spec.template.spec.containers[0].image", "metadata.labels[app]". */
  field: string;
  reason: SchemaViolationReason;
  message: string;
}

export interface ValidateOptions {
  /**
   * 'reject': report fields the schema does not declare (kubectl's default strict field
   * validation); 'prune' (default): ignore them, the API server prunes them before storing.
   */
  unknownFields?: 'reject' | 'prune';
  /**
   * The stored object, on an update: values unchanged from it are not checked again (validation
   * ratcheting, ./ratchet.ts).
   */
  old?: unknown;
}

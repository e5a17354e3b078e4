// Small helpers shared by the generators: object metadata with the ownership labels.
import { ownershipLabels, type Ownership } from './labels.js';
import type { ObjectMeta } from './types.js';

export function meta(
  name: string,
  namespace: string | undefined,
  ownership: Ownership,
  extraLabels: Record<string, string> = {},
  annotations?: Record<string, string>,
): ObjectMeta {
  const m: ObjectMeta = namespace === undefined ? { name } : { name, namespace };
  m.labels = { ...extraLabels, ...ownershipLabels(ownership) };
  if (annotations && Object.keys(annotations).length > 0) m.annotations = annotations;
  return m;
}

/** base64 of a UTF-8 string, for Secret `data`. */
export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

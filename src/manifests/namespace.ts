import type { Ownership } from './labels.js';
import { meta } from './meta.js';
import type { KubeObject } from './types.js';

export function namespaceObject(name: string, ownership: Ownership): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: meta(name, undefined, ownership) };
}

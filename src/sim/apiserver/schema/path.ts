// Field paths are built as a parent-linked list and only turned into a string when a
// violation is reported: validation of a valid object (the common case) allocates no strings.
export interface FieldPath {
  readonly parent: FieldPath | undefined;
  /** Property name (joined with "."), or list index / map key (rendered in brackets). */
  readonly key: string | number;
  readonly bracket: boolean;
}

export const child = (parent: FieldPath | undefined, key: string): FieldPath => ({ parent, key, bracket: false });
export const index = (parent: FieldPath | undefined, i: number): FieldPath => ({ parent, key: i, bracket: true });
export const mapKey = (parent: FieldPath | undefined, k: string): FieldPath => ({ parent, key: k, bracket: true });

/** Renders like k8s.io/apimachinery field.Path.String(): "spec.containers[0].image", "metadata.labels[app]". */
export function pathString(p: FieldPath | undefined): string {
  const parts: string[] = [];
  for (let cur = p; cur; cur = cur.parent) {
    if (cur.bracket) parts.push(`[${cur.key}]`);
    else parts.push(cur.parent ? `.${cur.key}` : String(cur.key));
  }
  const s = parts.reverse().join('');
  return s === '' ? '<root>' : s;
}

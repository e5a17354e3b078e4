// A structural-schema validator for CRD openAPIV3Schema, reporting violations the way
// kube-apiserver does (field path + field.ErrorType reason + message body), so the
// embedded API server can return them verbatim as the causes of a 422.
//
// Each schema node is compiled once into a closure and cached per schema object (a
// WeakMap), because the API server validates on every write.
//
// CEL rules (x-kubernetes-validations) are ./cel.ts. `multipleOf` and `uniqueItems` are checked;
// list-type set/map duplicates are reported as FieldValueDuplicate like the real server.
//
// Ratcheting (CRDValidationRatcheting, on by default in v1.30-v1.32; apiextensions
// schema/validation/ratcheting.go): on an update, given the stored object, a node whose value is
// unchanged from its old value reports nothing, its subtree included. A node has an old value
// when its parent has one and the old parent holds the same property (or map key), or, in a
// list-type=map list, an item with the same keys; other list items, and apiVersion/kind at the
// root, have none and are checked in full unless an ancestor is unchanged.
//
// The value-level predicates (types, formats, patterns) are in ./value-checks.ts.
import { child, index, mapKey, pathString, type FieldPath } from './path.js';
import type { JSONSchemaProps, SchemaViolation, SchemaViolationReason, ValidateOptions } from './types.js';
import { itemKey, itemsByKey, NO_OLD, type Old, oldOf, sameJson } from './ratchet.js';
import { compilePattern, formatChecker, formatValue, isPlainObject, typeMatches, typeOf } from './value-checks.js';

export type { JSONSchemaProps, SchemaViolation, SchemaViolationReason, ValidateOptions } from './types.js';
export { applyDefaults, prune } from './defaults.js';

interface Ctx {
  reject: boolean;
  out: SchemaViolation[];
}

type Checker = (value: unknown, path: FieldPath | undefined, ctx: Ctx, old: Old) => void;

/** Node kinds that change how unknown fields and metadata are treated. */
interface CompileFlags {
  /** Inside allOf/anyOf/oneOf/not: value validation only, never unknown-field checks. */
  junctor: boolean;
  /** The CRD root or an embedded resource: apiVersion/kind/metadata are implicitly allowed, metadata is ObjectMeta (validated elsewhere). */
  resourceRoot: boolean;
}

const rootCache = new WeakMap<JSONSchemaProps, Checker>();
const cache = new WeakMap<JSONSchemaProps, Checker>();
const junctorCache = new WeakMap<JSONSchemaProps, Checker>();

export function validate(schema: JSONSchemaProps, value: unknown, opts: ValidateOptions = {}): SchemaViolation[] {
  let checker = rootCache.get(schema);
  if (!checker) {
    checker = compile(schema, { junctor: false, resourceRoot: true });
    rootCache.set(schema, checker);
  }
  const ctx: Ctx = { reject: opts.unknownFields === 'reject', out: [] };
  checker(value, undefined, ctx, opts.old === undefined ? NO_OLD : opts.old);
  return ctx.out;
}

function violation(ctx: Ctx, path: FieldPath | undefined, reason: SchemaViolationReason, message: string): void {
  ctx.out.push({ field: pathString(path), reason, message });
}

function invalid(ctx: Ctx, path: FieldPath | undefined, value: unknown, detail: string): void {
  violation(
    ctx,
    path,
    'FieldValueInvalid',
    `Invalid value: ${formatValue(value)}: ${pathString(path)} in body ${detail}`,
  );
}

function compileSub(schema: JSONSchemaProps): Checker {
  let c = junctorCache.get(schema);
  if (!c) {
    c = compile(schema, { junctor: true, resourceRoot: false });
    junctorCache.set(schema, c);
  }
  return c;
}

function compileChild(schema: JSONSchemaProps): Checker {
  let c = cache.get(schema);
  if (!c) {
    // Placeholder first: guards against self-referencing schema objects.
    let real: Checker | undefined;
    const lazy: Checker = (v, p, ctx, old) => real!(v, p, ctx, old);
    cache.set(schema, lazy);
    real = compile(schema, { junctor: false, resourceRoot: schema['x-kubernetes-embedded-resource'] === true });
    cache.set(schema, real);
    c = real;
  }
  return c;
}

function compile(s: JSONSchemaProps, flags: CompileFlags): Checker {
  const checks: Checker[] = [];
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const nullable = s.nullable === true;
  const type = s.type;

  // Type check first; if the type is wrong no other check on this node makes sense.
  if (intOrString) {
    checks.push((v, p, ctx) => {
      if (!(typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)))) {
        violation(
          ctx,
          p,
          'FieldValueTypeInvalid',
          `Invalid value: ${formatValue(v)}: ${pathString(p)} in body must be of type integer or string: ${JSON.stringify(typeOf(v))}`,
        );
        return;
      }
    });
  } else if (type) {
    checks.push((v, p, ctx) => {
      if (!typeMatches(type, v)) {
        violation(
          ctx,
          p,
          'FieldValueTypeInvalid',
          `Invalid value: ${formatValue(v)}: ${pathString(p)} in body must be of type ${type}: ${JSON.stringify(typeOf(v))}`,
        );
      }
    });
  }

  if (s.enum) {
    const allowed = s.enum;
    const set = new Set(allowed.map((e) => JSON.stringify(e)));
    const supported = allowed.map((e) => formatValue(e)).join(', ');
    checks.push((v, p, ctx) => {
      if (!set.has(JSON.stringify(v))) {
        violation(
          ctx,
          p,
          'FieldValueNotSupported',
          `Unsupported value: ${formatValue(v)}: supported values: ${supported}`,
        );
      }
    });
  }

  // string
  const re = s.pattern !== undefined ? compilePattern(s.pattern) : undefined;
  if (re) {
    const pat = s.pattern!;
    checks.push((v, p, ctx) => {
      if (typeof v === 'string' && !re.test(v)) invalid(ctx, p, v, `should match '${pat}'`);
    });
  }
  if (s.maxLength !== undefined) {
    const max = s.maxLength;
    checks.push((v, p, ctx) => {
      // Go counts runes; only pay for the code-point count when the UTF-16 length is over.
      if (typeof v === 'string' && v.length > max && [...v].length > max) {
        violation(ctx, p, 'FieldValueTooLong', `Too long: may not be more than ${max} bytes`);
      }
    });
  }
  if (s.minLength !== undefined) {
    const min = s.minLength;
    checks.push((v, p, ctx) => {
      if (typeof v === 'string' && [...v].length < min) invalid(ctx, p, v, `should be at least ${min} chars long`);
    });
  }
  const fmt = formatChecker(s.format);
  if (fmt) {
    checks.push((v, p, ctx) => {
      const msg = fmt(v);
      if (msg) invalid(ctx, p, v, msg);
    });
  }

  // number
  if (s.minimum !== undefined) {
    const min = s.minimum;
    const excl = s.exclusiveMinimum === true;
    checks.push((v, p, ctx) => {
      if (typeof v === 'number' && (excl ? v <= min : v < min)) {
        invalid(ctx, p, v, `should be greater than ${excl ? '' : 'or equal to '}${min}`);
      }
    });
  }
  if (s.maximum !== undefined) {
    const max = s.maximum;
    const excl = s.exclusiveMaximum === true;
    checks.push((v, p, ctx) => {
      if (typeof v === 'number' && (excl ? v >= max : v > max)) {
        invalid(ctx, p, v, `should be less than ${excl ? '' : 'or equal to '}${max}`);
      }
    });
  }
  if (s.multipleOf !== undefined) {
    const m = s.multipleOf;
    checks.push((v, p, ctx) => {
      if (typeof v === 'number' && !Number.isInteger(v / m)) invalid(ctx, p, v, `should be a multiple of ${m}`);
    });
  }

  // array
  if (s.minItems !== undefined) {
    const min = s.minItems;
    checks.push((v, p, ctx) => {
      if (Array.isArray(v) && v.length < min) invalid(ctx, p, v, `should have at least ${min} items`);
    });
  }
  if (s.maxItems !== undefined) {
    const max = s.maxItems;
    checks.push((v, p, ctx) => {
      if (Array.isArray(v) && v.length > max) {
        violation(ctx, p, 'FieldValueTooMany', `Too many: ${v.length}: must have at most ${max} items`);
      }
    });
  }
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set' || listType === 'map' || s.uniqueItems) {
    const keys = listType === 'map' ? (s['x-kubernetes-list-map-keys'] ?? []) : undefined;
    checks.push((v, p, ctx) => {
      if (!Array.isArray(v)) return;
      const seen = new Set<string>();
      v.forEach((item, i) => {
        let key: string;
        if (keys && isPlainObject(item)) {
          key = JSON.stringify(keys.map((k) => item[k]));
        } else {
          key = JSON.stringify(item);
        }
        if (seen.has(key)) {
          const shown =
            keys && isPlainObject(item)
              ? JSON.stringify(Object.fromEntries(keys.map((k) => [k, item[k]])))
              : formatValue(item);
          violation(ctx, index(p, i), 'FieldValueDuplicate', `Duplicate value: ${shown}`);
        }
        seen.add(key);
      });
    });
  }
  if (s.items) {
    const items = flags.junctor ? compileSub(s.items) : compileChild(s.items);
    const mapKeys = listType === 'map' ? (s['x-kubernetes-list-map-keys'] ?? []) : [];
    checks.push((v, p, ctx, old) => {
      if (!Array.isArray(v)) return;
      // only a list-type=map item has an old value: the old item with the same keys
      const olds = mapKeys.length > 0 && Array.isArray(old) ? itemsByKey(old, mapKeys) : undefined;
      for (let i = 0; i < v.length; i++) {
        const item = v[i];
        const prev = olds && isPlainObject(item) ? olds.get(itemKey(item, mapKeys)) : undefined;
        items(item, index(p, i), ctx, prev === undefined ? NO_OLD : prev);
      }
    });
  }

  // object
  if (s.minProperties !== undefined) {
    const min = s.minProperties;
    checks.push((v, p, ctx) => {
      if (isPlainObject(v) && Object.keys(v).length < min) invalid(ctx, p, v, `should have at least ${min} properties`);
    });
  }
  if (s.maxProperties !== undefined) {
    const max = s.maxProperties;
    checks.push((v, p, ctx) => {
      if (isPlainObject(v) && Object.keys(v).length > max) {
        violation(ctx, p, 'FieldValueTooMany', `Too many: ${Object.keys(v).length}: must have at most ${max} items`);
      }
    });
  }
  // kube-apiserver prunes null values of non-nullable fields before defaulting and
  // validation (since 1.20), so such a null counts as absent here.
  const nullableProp = (k: string): boolean => s.properties?.[k]?.nullable === true;
  if (s.required && s.required.length > 0) {
    const req = s.required;
    checks.push((v, p, ctx) => {
      if (!isPlainObject(v)) return;
      for (const k of req) {
        const val = v[k];
        if (val === undefined || (val === null && !nullableProp(k)))
          violation(ctx, child(p, k), 'FieldValueRequired', 'Required value');
      }
    });
  }
  const props = s.properties;
  const propCheckers = new Map<string, Checker>();
  if (props) {
    for (const [k, sub] of Object.entries(props)) {
      // ObjectMeta of a resource is validated by the API server's own metadata rules.
      if (flags.resourceRoot && k === 'metadata') continue;
      propCheckers.set(k, flags.junctor ? compileSub(sub) : compileChild(sub));
    }
  }
  const ap = s.additionalProperties;
  const apChecker = typeof ap === 'object' ? (flags.junctor ? compileSub(ap) : compileChild(ap)) : undefined;
  const apNullable = typeof ap === 'object' && ap.nullable === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  // Unknown fields exist only where the schema lists properties (or nothing) and allows no others.
  const closed =
    !flags.junctor && !preserve && (ap === undefined || ap === false) && (type === 'object' || props !== undefined);
  const implicit = flags.resourceRoot ? new Set(['apiVersion', 'kind', 'metadata']) : undefined;
  if (propCheckers.size > 0 || apChecker || closed) {
    checks.push((v, p, ctx, old) => {
      if (!isPlainObject(v)) return;
      // apiVersion and kind are not ratcheted: old and new are read at the same version
      const typeMeta = flags.resourceRoot && p === undefined;
      for (const k in v) {
        const val = v[k];
        const pc = propCheckers.get(k);
        if (pc) {
          const prev = typeMeta && (k === 'apiVersion' || k === 'kind') ? NO_OLD : oldOf(old, k);
          if (val !== undefined && (val !== null || nullableProp(k))) pc(val, child(p, k), ctx, prev);
        } else if (apChecker) {
          if (val !== null || apNullable) apChecker(val, mapKey(p, k), ctx, oldOf(old, k));
        } else if (closed && ctx.reject && !(props && k in props) && !implicit?.has(k)) {
          const full = pathString(child(p, k));
          violation(ctx, child(p, k), 'FieldValueUnknown', `unknown field ${JSON.stringify(full)}`);
        }
      }
    });
  }

  // junctors: value validations only (structural schemas forbid types/properties in them)
  if (s.allOf) {
    const subs = s.allOf.map(compileSub);
    checks.push((v, p, ctx) => {
      for (const sub of subs) sub(v, p, ctx, NO_OLD);
    });
  }
  if (s.anyOf) {
    const subs = s.anyOf.map(compileSub);
    checks.push((v, p, ctx) => {
      if (!subs.some((sub) => passes(sub, v, p, ctx))) invalid(ctx, p, v, 'must validate at least one schema (anyOf)');
    });
  }
  if (s.oneOf) {
    const subs = s.oneOf.map(compileSub);
    checks.push((v, p, ctx) => {
      const n = subs.filter((sub) => passes(sub, v, p, ctx)).length;
      if (n !== 1) invalid(ctx, p, v, 'must validate one and only one schema (oneOf)');
    });
  }
  if (s.not) {
    const sub = compileSub(s.not);
    checks.push((v, p, ctx) => {
      if (passes(sub, v, p, ctx))
        violation(
          ctx,
          p,
          'FieldValueForbidden',
          `Forbidden: ${pathString(p)} in body must not validate the schema (not)`,
        );
    });
  }

  const n = checks.length;
  return (v, p, ctx, old) => {
    // ratcheting: an unchanged value keeps whatever it broke before the schema changed
    if (old !== NO_OLD && sameJson(v, old)) return;
    if (v === null) {
      // null is accepted only where nullable (or untyped); kube drops nulls of non-nullable fields with defaults earlier.
      if (nullable || (!type && !intOrString)) return;
      violation(
        ctx,
        p,
        'FieldValueTypeInvalid',
        `Invalid value: "null": ${pathString(p)} in body must be of type ${intOrString ? 'integer or string' : type}: "null"`,
      );
      return;
    }
    const before = ctx.out.length;
    checks[0]?.(v, p, ctx, old);
    // A type error makes the remaining checks meaningless (and noisy).
    if (ctx.out.length > before && (type || intOrString)) return;
    for (let i = 1; i < n; i++) checks[i]!(v, p, ctx, old);
  };
}

function passes(c: Checker, v: unknown, p: FieldPath | undefined, ctx: Ctx): boolean {
  const probe: Ctx = { reject: ctx.reject, out: [] };
  c(v, p, probe, NO_OLD);
  return probe.out.length === 0;
}

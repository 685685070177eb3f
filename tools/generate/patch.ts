/**
 * Strategic-merge patches computed from two versions of an object: the patch that turns the
 * base's object into the environment's. Lists the kind's schema merges by key (patch strategy
 * `merge` with a patch merge key: tools/kube/api-fields.ts, the table drift reads too) are patched
 * item by item; every other list is replaced whole, as kustomize does. `check` renders each
 * overlay with the real kustomize and compares with the catalog, so a wrong patch never goes unnoticed.
 */
import { patchMergeKey, schemaOf, type FieldSchema } from '../kube/api-fields.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && deepEqual(a[key], b[key]));
  }
  return false;
}

function mergeKeyOf(schema: FieldSchema, items: Json[]): string | undefined {
  const key = patchMergeKey(schema);
  return key && items.every((item) => isObject(item) && key in item) ? key : undefined;
}

function diffList(schema: FieldSchema, base: Json[], target: Json[]): Json[] | undefined {
  if (deepEqual(base, target)) return undefined;
  const key = mergeKeyOf(schema, [...base, ...target]);
  if (!key) return target;
  const baseByKey = new Map(base.map((item) => [String((item as JsonObject)[key]), item as JsonObject]));
  const targetKeys = new Set(target.map((item) => String((item as JsonObject)[key])));
  // Reordering keyed items cannot be expressed as a merge; replace the list instead.
  const kept = base.filter((item) => targetKeys.has(String((item as JsonObject)[key])));
  const keptOrder = kept.map((item) => String((item as JsonObject)[key]));
  const targetOrder = target.map((item) => String((item as JsonObject)[key])).filter((k) => baseByKey.has(k));
  if (!deepEqual(keptOrder, targetOrder)) return target;
  const patch: Json[] = [];
  for (const item of target as JsonObject[]) {
    const id = item[key] as Json;
    const before = baseByKey.get(String(id));
    if (!before) patch.push(item);
    else {
      const change = diffObject(before, item, schema.child('*'));
      if (change) patch.push({ [key]: id, ...change });
    }
  }
  for (const item of base as JsonObject[]) {
    if (!targetKeys.has(String(item[key]))) patch.push({ [key]: item[key] as Json, $patch: 'delete' });
  }
  return patch;
}

/**
 * The merge patch from `base` to `target` (two versions of one object), or undefined when they are
 * equal; `schema` is where they sit in their kind's schema (default: the root of `target`'s kind).
 */
export function diffObject(
  base: JsonObject,
  target: JsonObject,
  schema: FieldSchema = schemaOf(String(target['apiVersion']), String(target['kind'])),
): JsonObject | undefined {
  const patch: JsonObject = {};
  for (const [key, value] of Object.entries(target)) {
    const before = base[key];
    if (deepEqual(before, value)) continue;
    if (isObject(before) && isObject(value)) {
      const change = diffObject(before, value, schema.child(key));
      if (change) patch[key] = change;
    } else if (Array.isArray(before) && Array.isArray(value)) {
      const change = diffList(schema.child(key), before, value);
      if (change) patch[key] = change;
    } else {
      patch[key] = value;
    }
  }
  for (const key of Object.keys(base)) if (!(key in target)) patch[key] = null;
  return Object.keys(patch).length > 0 ? patch : undefined;
}

export type { Json, JsonObject };

/**
 * Strategic-merge patches computed from two versions of an object: the patch that turns the
 * base's object into the environment's. Lists Kubernetes merges by key are patched item by item;
 * every other list is replaced whole, as kustomize does. `check` renders each overlay with the
 * real kustomize and compares with the catalog, so a wrong patch never goes unnoticed.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Merge keys of the list fields our objects use (patchMergeKey in the Kubernetes API). */
const MERGE_KEYS: Record<string, (item: JsonObject) => string | undefined> = {
  containers: () => 'name',
  initContainers: () => 'name',
  env: () => 'name',
  volumes: () => 'name',
  volumeMounts: () => 'mountPath',
  imagePullSecrets: () => 'name',
  // Container ports merge by containerPort, Service ports by port.
  ports: (item) => ('containerPort' in item ? 'containerPort' : 'port' in item ? 'port' : undefined),
};

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

function mergeKeyOf(field: string, items: Json[]): string | undefined {
  const pick = MERGE_KEYS[field];
  const first = items.find(isObject);
  if (!pick || !first) return undefined;
  const key = pick(first);
  return key && items.every((item) => isObject(item) && key in item) ? key : undefined;
}

function diffList(field: string, base: Json[], target: Json[]): Json[] | undefined {
  if (deepEqual(base, target)) return undefined;
  const key = mergeKeyOf(field, [...base, ...target]);
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
      const change = diffObject(before, item);
      if (change) patch.push({ [key]: id, ...change });
    }
  }
  for (const item of base as JsonObject[]) {
    if (!targetKeys.has(String(item[key]))) patch.push({ [key]: item[key] as Json, $patch: 'delete' });
  }
  return patch;
}

/** The merge patch from `base` to `target`, or undefined when they are equal. */
export function diffObject(base: JsonObject, target: JsonObject): JsonObject | undefined {
  const patch: JsonObject = {};
  for (const [key, value] of Object.entries(target)) {
    const before = base[key];
    if (deepEqual(before, value)) continue;
    if (isObject(before) && isObject(value)) {
      const change = diffObject(before, value);
      if (change) patch[key] = change;
    } else if (Array.isArray(before) && Array.isArray(value)) {
      const change = diffList(key, before, value);
      if (change) patch[key] = change;
    } else {
      patch[key] = value;
    }
  }
  for (const key of Object.keys(base)) if (!(key in target)) patch[key] = null;
  return Object.keys(patch).length > 0 ? patch : undefined;
}

export type { Json, JsonObject };

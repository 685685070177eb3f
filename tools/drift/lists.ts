/**
 * How Kubernetes pairs the items of a list, by the list's place in the object: its list type and
 * list-map keys, as the kind's schema gives them (tools/kube/api-fields.ts).
 */
import { schemaOf, type ApiField, type FieldSchema } from '../kube/api-fields.ts';
import { groupOf } from '../kube/object.ts';
import type { QuantityFields } from '../kube/quantity-fields.ts';
import type { Json } from './json.ts';
import { isObject } from './json.ts';

/**
 * - `map`: items are identified by their list-map keys (containers by name, ports by port and protocol, …).
 * - `set`: scalars the server may add to (finalizers); only the desired ones are checked, in any order.
 * - `atomic`: a list owned whole by its writer; apply puts back git's items in git's order, so
 *   order counts. Equal items are paired first, so a reorder is one order drift, not a drift per item.
 * - `unordered`: an atomic list whose order Argo CD sorts away on both sides before comparing
 *   (Endpoints subsets, their addresses and ports): paired like `atomic`, its order never drift.
 */
export type ListType = MapList | { type: 'set' } | { type: 'atomic' } | { type: 'unordered' };

export interface MapList {
  type: 'map';
  /** Sorted, as in the `k:` entries of managedFields. */
  keys: readonly string[];
  defaults: Readonly<Record<string, Json>>;
  /** `"key":` for each key, to build item keys without re-encoding the names. */
  prefixes: readonly string[];
}

function mapList(keys: readonly string[], defaults: Readonly<Record<string, unknown>> = {}): MapList {
  const sorted = [...keys].sort();
  return {
    type: 'map',
    keys: sorted,
    defaults: defaults as Record<string, Json>,
    prefixes: sorted.map((key) => `${JSON.stringify(key)}:`),
  };
}

/**
 * Where a value sits: the object's group and kind, and the field names from the root (`*` for a list item).
 * A place's children are made once and shared: every object of a kind walks the same places.
 */
export interface Place {
  group: string;
  kind: string;
  name: string;
  parent: Place | undefined;
  /** The kind's schema at this place: list types, merge keys, pointer fields (tools/kube/api-fields.ts). */
  schema: FieldSchema;
  /** The kind's schema: which fields hold quantities (tools/kube/quantity-fields.ts). */
  quantity?: QuantityFields;
  /** The places below this one made so far, by name (childPlace). */
  children?: Map<string, Place>;
}

/** The root of an object of `apiVersion` and `kind`; `crd` is its CustomResourceDefinition's schema for custom kinds, when known. */
export function rootPlace(apiVersion: string, kind: string, quantity?: QuantityFields, crd?: Record<string, unknown>): Place {
  return {
    group: groupOf(apiVersion),
    kind,
    name: '',
    parent: undefined,
    schema: schemaOf(apiVersion, kind, crd),
    ...(quantity ? { quantity } : {}),
  };
}

export function childPlace(place: Place, name: string): Place {
  const children = (place.children ??= new Map());
  let child = children.get(name);
  if (!child) {
    child = {
      group: place.group,
      kind: place.kind,
      name,
      parent: place,
      schema: place.schema.child(name),
      ...(place.quantity ? { quantity: place.quantity } : {}),
    };
    children.set(name, child);
  }
  return child;
}

/** The names of the place and its ancestors up to the root, nearest first. */
export function namesUp(place: Place): string[] {
  const names: string[] = [];
  for (let at: Place | undefined = place; at?.parent; at = at.parent) names.push(at.name);
  return names;
}

/**
 * The lists of core Endpoints that Argo CD sorts on both sides before it compares
 * (gitops-engine pkg/diff/diff.go `normalizeEndpoint`, `endpoints.SortSubsets`: subsets,
 * their addresses, notReadyAddresses and ports), so their order never shows as a difference.
 */
function isSortedByArgoCD(place: Place): boolean {
  if (place.group !== '' || place.kind !== 'Endpoints') return false;
  const names = namesUp(place);
  if (names.length === 1) return names[0] === 'subsets';
  return (
    names.length === 3 &&
    names[1] === '*' &&
    names[2] === 'subsets' &&
    ['addresses', 'notReadyAddresses', 'ports'].includes(names[0] as string)
  );
}

const mapLists = new WeakMap<ApiField, MapList>();

/** The pairing rule for the list at `place`, from the kind's schema; a list the schema does not type is atomic. */
export function listType(place: Place): ListType {
  const field = place.schema.field;
  if (field?.list === 'set') return { type: 'set' };
  if (field?.list === 'map' && field.listMapKeys && field.listMapKeys.length > 0) {
    let list = mapLists.get(field);
    if (!list) mapLists.set(field, (list = mapList(field.listMapKeys, field.keyDefaults)));
    return list;
  }
  return isSortedByArgoCD(place) ? { type: 'unordered' } : { type: 'atomic' };
}

/** The identity of a list item under merge keys, as sorted JSON (the `k:` form of managedFields); undefined if a key is absent. */
export function itemKey(item: Json, list: MapList): string | undefined {
  if (!isObject(item)) return undefined;
  let key = '{';
  for (let i = 0; i < list.keys.length; i++) {
    const field = list.keys[i] as string;
    const value = item[field] ?? list.defaults[field];
    if (value === undefined || value === null) return undefined;
    key += `${i > 0 ? ',' : ''}${list.prefixes[i] as string}${typeof value === 'number' ? String(value) : JSON.stringify(value)}`;
  }
  return `${key}}`;
}

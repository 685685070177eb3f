/**
 * Field sets: which fields of an object someone set. Read lazily from the `fieldsV1` format of
 * `metadata.managedFields` (`f:name`, `k:{"name":"x"}`, `v:"value"`, `i:0`, `.`) or from a
 * previously applied manifest (`kubectl.kubernetes.io/last-applied-configuration`): only the
 * parts a comparison asks about are ever looked at.
 */
import type { Json } from './json.ts';
import { isObject } from './json.ts';
import { childPlace, itemKey, listType, type Place } from './lists.ts';

/**
 * A leaf (`{}` in fieldsV1) owns its field and nothing under it: `field`, `item` and `index` of a
 * leaf are undefined. The managedFields API lists every owned field (sigs.k8s.io/structured-merge-diff
 * `fieldpath.Set`: members and children are separate), so `f:spec: {}` owns `spec` itself, not the
 * server's defaults under it; under an atomic value, the next apply sends git's whole value and the
 * server defaults it again.
 */
export interface FieldSet {
  /** The set owns the whole value here (a scalar, an atomic list or map). */
  readonly leaf: boolean;
  /** `.`: the map or list item itself is in the set, not only some of its fields. */
  readonly self: boolean;
  field(name: string): FieldSet | undefined;
  /** A list item by merge key, as sorted JSON. */
  item(key: string): FieldSet | undefined;
  /** A set-list scalar, as JSON. */
  hasValue(json: string): boolean;
  index(position: number): FieldSet | undefined;
}

function sortedJson(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isObject(parsed)) return JSON.stringify(parsed);
    const keys = Object.keys(parsed).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${JSON.stringify(parsed[key])}`).join(',')}}`;
  } catch {
    return undefined;
  }
}

const NONE: FieldSet = {
  leaf: false,
  self: false,
  field: () => undefined,
  item: () => undefined,
  hasValue: () => false,
  index: () => undefined,
};
const LEAF: FieldSet = { ...NONE, leaf: true };
const SELF_LEAF: FieldSet = { ...LEAF, self: true };

/** A view of one `fieldsV1` tree; malformed entries are skipped. */
export function fieldsV1Set(tree: unknown): FieldSet {
  const entries: Record<string, unknown> = isObject(tree) ? tree : {};
  let items: Map<string, FieldSet> | undefined;
  let values: Set<string> | undefined;
  const scan = () => {
    items = new Map();
    values = new Set();
    for (const [entry, child] of Object.entries(entries)) {
      if (entry.startsWith('k:')) {
        const key = sortedJson(entry.slice(2));
        if (key !== undefined) items.set(key, fieldsV1Set(child));
      } else if (entry.startsWith('v:')) {
        const value = sortedJson(entry.slice(2));
        if (value !== undefined) values.add(value);
      }
    }
    return { items, values };
  };
  if (Object.keys(entries).length === 0) return LEAF;
  return {
    leaf: false,
    self: Object.hasOwn(entries, '.'),
    field: (name) => (Object.hasOwn(entries, `f:${name}`) ? fieldsV1Set(entries[`f:${name}`]) : undefined),
    item: (key) => (items ?? scan().items).get(key),
    hasValue: (json) => (values ?? scan().values).has(json),
    index: (position) => (Object.hasOwn(entries, `i:${position}`) ? fieldsV1Set(entries[`i:${position}`]) : undefined),
  };
}

/** A view of a manifest as the set of fields it sets: maps by field, merge-keyed list items by key; anything else whole. */
export function manifestSet(value: Json, place: Place, self = false): FieldSet {
  if (isObject(value)) {
    return {
      ...NONE,
      self: self || Object.keys(value).length === 0,
      field: (name) => {
        const child = value[name];
        return child === undefined ? undefined : manifestSet(child, childPlace(place, name));
      },
    };
  }
  if (!Array.isArray(value)) return self ? SELF_LEAF : LEAF;
  const list = listType(place);
  if (list.type === 'set') return { ...NONE, self, hasValue: (json) => value.some((item) => JSON.stringify(item) === json) };
  if (list.type !== 'map') return self ? SELF_LEAF : LEAF;
  let byKey: Map<string, Json> | undefined;
  const itemPlace = childPlace(place, '*');
  return {
    ...NONE,
    self,
    item: (key) => {
      byKey ??= new Map(value.map((item) => [itemKey(item, list) ?? '', item]));
      const item = byKey.get(key);
      return item === undefined ? undefined : manifestSet(item, itemPlace, true);
    },
  };
}

/** The union of field sets, for the several records of what was applied; undefined when there are none. */
export function unionSet(sets: readonly FieldSet[]): FieldSet | undefined {
  if (sets.length <= 1) return sets[0];
  const pick = (get: (set: FieldSet) => FieldSet | undefined) =>
    unionSet(sets.map(get).filter((set): set is FieldSet => set !== undefined));
  return {
    leaf: sets.some((set) => set.leaf),
    self: sets.some((set) => set.self),
    field: (name) => pick((set) => set.field(name)),
    item: (key) => pick((set) => set.item(key)),
    hasValue: (json) => sets.some((set) => set.hasValue(json)),
    index: (position) => pick((set) => set.index(position)),
  };
}

/**
 * Deletes, in place, the fields of `value` that `set` covers: leaves wholly, list items the set
 * owns itself (`.`) wholly, maps field by field (a map's `.` alone removes nothing others own).
 */
export function removeFields(value: Json, set: FieldSet, place: Place): void {
  if (isObject(value)) {
    for (const field of Object.keys(value)) {
      const child = set.field(field);
      if (!child) continue;
      if (child.leaf) delete value[field];
      else removeFields(value[field] as Json, child, childPlace(place, field));
    }
    return;
  }
  if (!Array.isArray(value)) return;
  const list = listType(place);
  const itemPlace = childPlace(place, '*');
  const kept = value.filter((item, position) => {
    if (set.hasValue(JSON.stringify(item))) return false;
    const owner = (list.type === 'map' ? set.item(itemKey(item, list) ?? '') : undefined) ?? set.index(position);
    if (!owner) return true;
    if (owner.self || owner.leaf) return false;
    removeFields(item, owner, itemPlace);
    return true;
  });
  value.splice(0, value.length, ...kept);
}

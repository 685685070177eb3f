/**
 * How Kubernetes pairs the items of a list, by the list's place in the object: its merge keys
 * (`patchMergeKey` / `listMapKeys` of the API types), or none.
 */
import type { QuantityFields } from '../kube/quantity-fields.ts';
import type { Json } from './json.ts';
import { isObject } from './json.ts';

/**
 * - `map`: items are identified by merge keys (containers by name, ports by port and protocol, …).
 * - `set`: scalars the server may add to (finalizers); only the desired ones are checked.
 * - `unordered`: objects without a merge key whose order means nothing to the API (NetworkPolicy
 *   rules, Endpoints addresses, webhook rules): equal items are paired first, the rest by position.
 * - `ordered`: paired by index (scalar lists such as `args`, and `envFrom`, where later wins).
 */
export type ListType = MapList | { type: 'set' } | { type: 'unordered' } | { type: 'ordered' };

export interface MapList {
  type: 'map';
  /** Sorted, as in the `k:` entries of managedFields. */
  keys: readonly string[];
  defaults: Readonly<Record<string, Json>>;
  /** `"key":` for each key, to build item keys without re-encoding the names. */
  prefixes: readonly string[];
}

function mapList(keys: readonly string[], defaults: Readonly<Record<string, Json>> = {}): MapList {
  const sorted = [...keys].sort();
  return { type: 'map', keys: sorted, defaults, prefixes: sorted.map((key) => `${JSON.stringify(key)}:`) };
}

/** Where a value sits: the object's group and kind, and the field names from the root (`*` for a list item). */
export interface Place {
  group: string;
  kind: string;
  name: string;
  parent: Place | undefined;
  /** The kind's schema: which fields hold quantities (tools/kube/quantity-fields.ts). */
  quantity?: QuantityFields;
}

export function rootPlace(group: string, kind: string, quantity?: QuantityFields): Place {
  return { group, kind, name: '', parent: undefined, ...(quantity ? { quantity } : {}) };
}

export function childPlace(place: Place, name: string): Place {
  return { group: place.group, kind: place.kind, name, parent: place, ...(place.quantity ? { quantity: place.quantity } : {}) };
}

/** The names of the place and its ancestors up to the root, nearest first. */
export function namesUp(place: Place): string[] {
  const names: string[] = [];
  for (let at: Place | undefined = place; at?.parent; at = at.parent) names.push(at.name);
  return names;
}

const BY_NAME = mapList(['name']);
const TCP = { protocol: 'TCP' };

const MERGE_KEYS: Readonly<Record<string, MapList>> = {
  containers: BY_NAME,
  initContainers: BY_NAME,
  ephemeralContainers: BY_NAME,
  volumes: BY_NAME,
  imagePullSecrets: BY_NAME,
  env: BY_NAME,
  resourceClaims: BY_NAME,
  schedulingGates: BY_NAME,
  webhooks: BY_NAME,
  volumeMounts: mapList(['mountPath']),
  volumeDevices: mapList(['devicePath']),
  hostAliases: mapList(['ip']),
  topologySpreadConstraints: mapList(['topologyKey', 'whenUnsatisfiable']),
  ownerReferences: mapList(['uid']),
};

const CONTAINER_PORTS = mapList(['containerPort', 'protocol'], TCP);
const SERVICE_PORTS = mapList(['port', 'protocol'], TCP);
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** The pairing rule for the list at `place`, given its desired items. */
export function listType(place: Place, items: readonly Json[]): ListType {
  const { name } = place;
  const parent = place.parent;
  if (name === 'ports' && parent) {
    if (parent.name === '*' && CONTAINER_LISTS.has(parent.parent?.name ?? '')) return CONTAINER_PORTS;
    if (place.group === '' && place.kind === 'Service' && parent.name === 'spec' && parent.parent?.parent === undefined) return SERVICE_PORTS;
  }
  if (name === 'claims' && parent?.name === 'resources') return BY_NAME;
  if (name === 'finalizers' && parent?.name === 'metadata' && parent.parent?.parent === undefined) return { type: 'set' };
  const known = MERGE_KEYS[name];
  if (known) return known;
  if (name === 'envFrom') return { type: 'ordered' };
  return items.length > 0 && items.every(isObject) ? { type: 'unordered' } : { type: 'ordered' };
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

/**
 * Three-way alignment of a desired and a live body (both normalized) into two trees that a plain
 * JSON diff can compare without false drift:
 * - a field only live is dropped (a server default, or set by someone else), unless the applied
 *   field set says we set it before: then git removed it and the next sync deletes it, so it stays;
 * - list items are paired by their list-map keys, or for atomic object lists equal items first, so
 *   defaults inside items do not count; a changed order is kept as the list's order entry, except
 *   in sets and the lists Argo CD sorts (lists.ts);
 * - scalars equal by Kubernetes semantics (quantities by value where the schema says quantity, `8080` = `"8080"`, a desired zero
 *   value the server stores as absent: a non-pointer field's) are made identical; null means absent.
 *
 * Lists of objects come out as maps from index to item (`isAlignedList`), indexed like the desired
 * list, with live-only items numbered after the desired ones; JSON Pointers into the aligned trees
 * therefore name desired indices. The inputs are never mutated; the outputs share no containers with them.
 */
import type { FieldSet } from './fieldset.ts';
import type { Json, JsonObject } from './json.ts';
import { IDENTICAL, identicalFields, identicalJson, isObject, jsonEqual, setField } from './json.ts';
import { childPlace, itemKey, listType, namesUp, type MapList, type Place } from './lists.ts';
import { keepsZero } from '../kube/api-fields.ts';
import { quantitiesEqual } from '../kube/quantity.ts';

/** An aligned list of objects: a map from index to item, told apart from other maps by its class. */
class AlignedList {
  [index: string]: Json;
}

/** True for a list of objects turned into an index-keyed map by alignment. */
export function isAlignedList(value: unknown): boolean {
  return value instanceof AlignedList;
}

/**
 * The entry of an aligned list that holds its items' labels in each side's order (merge key values
 * for a keyed list, git's indices for an atomic one), present only when the desired items come in
 * another order live. Apply puts a merge-keyed list back in git's order (client-side apply sends
 * `$setElementOrder` whenever the order differs: k8s.io/apimachinery pkg/util/strategicpatch/patch.go
 * `diffLists`; server-side apply keeps the applier's order) and replaces an atomic list whole, and
 * a sync changes the object back: the order may mean something (`env` expands `$(VAR)` only from
 * earlier entries, `initContainers` run one after another), and any list git sets is git's order.
 */
export const ORDER_ENTRY = '$order';

/** The value as plain JSON again: aligned lists back to arrays, in index order. */
export function toPlain(value: Json | undefined): Json | undefined {
  if (value === undefined || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => toPlain(item) ?? null);
  if (isAlignedList(value)) {
    const items: Json[] = [];
    for (const key of Object.keys(value)) if (key !== ORDER_ENTRY) items.push(toPlain(value[key]) ?? null);
    return items;
  }
  const plain: JsonObject = {};
  for (const key of Object.keys(value)) setField(plain, key, toPlain(value[key]) ?? null);
  return plain;
}

export interface Aligned {
  desired: JsonObject;
  live: JsonObject;
}

interface Pair {
  desired?: Json;
  live?: Json;
}

/**
 * Aligns two normalized bodies; `applied` is the field set last applied from git (if known). With
 * `share`, a map or list identical on both sides (json.ts `identicalJson`: it would align to equal
 * trees) is not aligned but put in both outputs as it is, the input's own container, so that a diff
 * skips it at once; without it (when the trees are edited afterwards) the outputs share nothing
 * with the inputs.
 */
export function align(
  desired: JsonObject,
  live: JsonObject,
  applied: FieldSet | undefined,
  place: Place,
  share = false,
  known = share ? identicalFields(desired, live) : 0,
): Aligned {
  const pair = known === IDENTICAL ? { desired, live: desired } : alignMaps(desired, live, applied, place, share, known);
  return { desired: pair.desired as JsonObject, live: pair.live as JsonObject };
}

function alignValue(desired: Json | undefined, live: Json | undefined, applied: FieldSet | undefined, place: Place, share: boolean): Pair {
  if (desired === undefined || desired === null) {
    const part = live === undefined || live === null ? undefined : appliedPart(live, applied, place);
    return part === undefined ? {} : { live: part };
  }
  if (live === undefined || live === null) {
    const shaped = shape(desired, place);
    // live null is how the server prints a nil it stored for an empty value (a `""` Secret key, `rules: []`).
    return (live === null ? isEmpty(desired) : storedAsAbsent(desired, place))
      ? { desired: shaped, live: shape(desired, place) }
      : { desired: shaped };
  }
  if (isObject(desired) && isObject(live)) {
    const known = share ? identicalFields(desired, live) : 0;
    return known === IDENTICAL ? { desired, live: desired } : alignMaps(desired, live, applied, place, share, known);
  }
  if (share && typeof desired === 'object' && identicalJson(desired, live)) return { desired, live: desired };
  if (Array.isArray(desired) && Array.isArray(live)) return alignLists(desired, live, applied, place, share);
  if (isScalar(desired) && isScalar(live) && sameScalar(desired, live, place)) return { desired, live: desired };
  return { desired: shape(desired, place), live: shape(live, place) };
}

/** `known`: how many of the desired fields, in order, are identical live (json.ts `identicalFields`), taken as they are. */
function alignMaps(desired: JsonObject, live: JsonObject, applied: FieldSet | undefined, place: Place, share: boolean, known = 0): Pair {
  const outDesired: JsonObject = {};
  const outLive: JsonObject = {};
  const fields = Object.keys(desired);
  for (let n = 0; n < fields.length; n++) {
    const field = fields[n] as string;
    if (n < known) {
      // What alignValue makes of an identical value: the value on both sides, null (absent) on neither.
      const value = desired[field];
      if (value !== null && value !== undefined) outDesired[field] = outLive[field] = value;
      continue;
    }
    const pair = alignValue(desired[field], live[field], applied?.field(field), childPlace(place, field), share);
    if (pair.desired !== undefined) outDesired[field] = pair.desired;
    if (pair.live !== undefined) outLive[field] = pair.live;
  }
  if (applied) {
    for (const field of Object.keys(live)) {
      const value = live[field];
      if (value === null || value === undefined || (desired[field] !== undefined && desired[field] !== null)) continue;
      const set = applied.field(field);
      const part = set ? appliedPart(value, set, childPlace(place, field)) : undefined;
      if (part !== undefined) outLive[field] = part;
    }
  }
  return { desired: outDesired, live: outLive };
}

function alignLists(desired: Json[], live: Json[], applied: FieldSet | undefined, place: Place, share: boolean): Pair {
  const list = listType(place);
  if (list.type === 'set') return alignSet(desired, live, applied);
  if (list.type === 'map') {
    const desiredKeys = desired.map((item) => itemKey(item, list));
    const paired = pairByKey(desiredKeys, live, list);
    if (paired) return alignPaired(desired, live, paired, place, share, { set: applied, list, desiredKeys });
  }
  if (desired.every(isScalar) && live.every(isScalar)) {
    const equal = desired.length === live.length && desired.every((item, i) => sameScalar(item, live[i] as Json, place));
    return { desired: [...desired], live: equal ? [...desired] : [...live] };
  }
  const { pairs, aligned } = pairUnordered(desired, live, place, share);
  return alignPaired(desired, live, pairs, place, share, list.type === 'atomic' ? 'atomic' : undefined, aligned);
}

/** For each desired item, the index of its live item under merge keys; undefined if the keys cannot pair. */
function pairByKey(desiredKeys: (string | undefined)[], live: Json[], list: MapList): (number | undefined)[] | undefined {
  if (desiredKeys.some((key) => key === undefined) || new Set(desiredKeys).size !== desiredKeys.length) return undefined;
  const liveByKey = new Map<string, number>();
  live.forEach((item, index) => {
    const key = itemKey(item, list);
    if (key !== undefined && !liveByKey.has(key)) liveByKey.set(key, index);
  });
  return desiredKeys.map((key) => liveByKey.get(key as string));
}

/**
 * Pairs items that align without a difference first (the same index tried first), then the rest in
 * order. `aligned` keeps, by desired index, the alignment of an item paired that way, so that
 * alignPaired does not align it again; items identical as they are (`identicalJson`) align equal
 * without being aligned to find out.
 */
function pairUnordered(
  desired: Json[],
  live: Json[],
  place: Place,
  share: boolean,
): { pairs: (number | undefined)[]; aligned: Map<number, Pair> } {
  const itemPlace = childPlace(place, '*');
  const used = new Set<number>();
  const aligned = new Map<number, Pair>();
  const equalAt = (item: Json, i: number, j: number): boolean => {
    if (used.has(j)) return false;
    // With `share`, alignValue finds identical items itself (and the pair is kept, as it is).
    if (!share && identicalJson(item, live[j])) return true;
    const pair = alignValue(item, live[j], undefined, itemPlace, share);
    if (!jsonEqual(pair.desired, pair.live)) return false;
    aligned.set(i, pair);
    return true;
  };
  const pairs = desired.map((item, i): number | undefined => {
    const j = i < live.length && equalAt(item, i, i) ? i : live.findIndex((_, candidate) => candidate !== i && equalAt(item, i, candidate));
    if (j === -1) return undefined;
    used.add(j);
    return j;
  });
  const rest = [...live.keys()].filter((j) => !used.has(j));
  return { pairs: pairs.map((j) => j ?? rest.shift()), aligned };
}

/** A merge-keyed list: its keys, the desired items' keys, and what was applied to it. */
interface KeyedList {
  set: FieldSet | undefined;
  list: MapList;
  desiredKeys: (string | undefined)[];
}

/**
 * Pairs items as `pairs` says; `keyed` for merge-keyed lists, `'atomic'` for atomic lists whose
 * order counts (their order entry names git's indices), undefined for lists whose order does not.
 */
function alignPaired(
  desired: Json[],
  live: Json[],
  pairs: (number | undefined)[],
  place: Place,
  share: boolean,
  how: KeyedList | 'atomic' | undefined,
  aligned?: ReadonlyMap<number, Pair>,
): Pair {
  const keyed = how === 'atomic' ? undefined : how;
  const itemPlace = childPlace(place, '*');
  const outDesired = new AlignedList();
  const outLive = new AlignedList();
  const used = new Set<number>();
  for (let i = 0; i < desired.length; i++) {
    const j = pairs[i];
    if (j !== undefined) used.add(j);
    const itemApplied = keyed?.set?.item(keyed.desiredKeys[i] ?? '');
    // Aligned while pairing (pairUnordered): no field set there or here, so the same alignment.
    const pair = aligned?.get(i) ?? alignValue(desired[i], j === undefined ? undefined : live[j], itemApplied, itemPlace, share);
    if (pair.desired !== undefined) outDesired[String(i)] = pair.desired;
    if (pair.live !== undefined) outLive[String(i)] = pair.live;
  }
  // Items paired in git's order (each live index after the one before) need no order entry.
  if (how && !ascending(desired.length, pairs)) {
    const label = (i: number): Json => (keyed ? itemLabel(desired[i] as Json, keyed.list) : i);
    const paired = desired.flatMap((_, i) => (pairs[i] === undefined ? [] : [{ i, j: pairs[i] as number }]));
    const inDesired = paired.map(({ i }) => label(i));
    const inLive = [...paired].sort((a, b) => a.j - b.j).map(({ i }) => label(i));
    if (inDesired.some((item, n) => item !== inLive[n])) {
      outDesired[ORDER_ENTRY] = inDesired;
      outLive[ORDER_ENTRY] = inLive;
    }
  }
  let next = desired.length;
  live.forEach((item, j) => {
    if (used.has(j)) return;
    // Paired without merge keys, the list is atomic: every extra live item is drift.
    const part = keyed ? appliedItem(item, keyed.set, keyed.list, itemPlace) : shape(item, itemPlace);
    if (part !== undefined) outLive[String(next++)] = part;
  });
  return { desired: outDesired, live: outLive };
}

/** True when the paired live indices rise in desired order: the live order of the paired items is git's. */
function ascending(count: number, pairs: readonly (number | undefined)[]): boolean {
  let last = -1;
  for (let i = 0; i < count; i++) {
    const j = pairs[i];
    if (j === undefined) continue;
    if (j <= last) return false;
    last = j;
  }
  return true;
}

/** An item as people name it in an order: its merge key values, `/`-joined (`POD_NAME`, `8080/TCP`). */
function itemLabel(item: Json, list: MapList): string {
  return list.keys.map((key) => String((isObject(item) ? item[key] : undefined) ?? list.defaults[key] ?? '')).join('/');
}

function appliedItem(item: Json, applied: FieldSet | undefined, list: MapList, place: Place): Json | undefined {
  if (!applied) return undefined;
  const entry = applied.item(itemKey(item, list) ?? '');
  if (!entry) return undefined;
  return entry.self || entry.leaf ? shape(item, place) : appliedPart(item, entry, place);
}

/** Set lists (finalizers): desired items in desired order; extra live items only if we applied them. */
function alignSet(desired: Json[], live: Json[], applied: FieldSet | undefined): Pair {
  const liveValues = new Set(live.map((item) => JSON.stringify(item)));
  const desiredValues = new Set(desired.map((item) => JSON.stringify(item)));
  const present = desired.filter((item) => liveValues.has(JSON.stringify(item)));
  const extra = live.filter((item) => !desiredValues.has(JSON.stringify(item)) && applied?.hasValue(JSON.stringify(item)));
  return { desired: [...desired], live: [...present, ...extra] };
}

/** The part of a live-only value that we applied before (and git no longer has). */
function appliedPart(live: Json, applied: FieldSet | undefined, place: Place): Json | undefined {
  if (!applied || live === null) return undefined;
  if (applied.leaf) return shape(live, place);
  if (isObject(live)) {
    const out: JsonObject = {};
    for (const field of Object.keys(live)) {
      const set = applied.field(field);
      const part = set ? appliedPart(live[field] as Json, set, childPlace(place, field)) : undefined;
      if (part !== undefined) out[field] = part;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  if (Array.isArray(live)) {
    const list = listType(place);
    if (list.type === 'set') {
      const values = live.filter((item) => applied.hasValue(JSON.stringify(item)));
      return values.length > 0 ? values : undefined;
    }
    if (list.type !== 'map') return undefined;
    const out = new AlignedList();
    const itemPlace = childPlace(place, '*');
    let next = 0;
    for (const item of live) {
      const part = appliedItem(item, applied, list, itemPlace);
      if (part !== undefined) out[String(next++)] = part;
    }
    return next > 0 ? out : undefined;
  }
  return live;
}

/** A copy in aligned form: lists of objects become index-keyed maps, at every depth; null fields dropped. */
function shape(value: Json, place: Place): Json {
  if (Array.isArray(value)) {
    if (!value.some(isObject)) return [...value];
    const out = new AlignedList();
    const itemPlace = childPlace(place, '*');
    value.forEach((item, i) => {
      out[String(i)] = shape(item, itemPlace);
    });
    return out;
  }
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const field of Object.keys(value)) {
    const item = value[field] as Json;
    if (item !== null) out[field] = shape(item, childPlace(place, field));
  }
  return out;
}

function isScalar(value: Json): value is string | number | boolean | null {
  return value === null || typeof value !== 'object';
}

/** A zero value: false, 0, "", null, an empty list, a map of such. */
function isEmpty(value: Json): boolean {
  if (value === false || value === 0 || value === '' || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.values(value).every(isEmpty);
  return false;
}

/**
 * A desired value the API server stores as absent: a zero where the schema cannot tell zero from
 * absent (a non-pointer field of a built-in type, tools/kube/api-fields.ts `keepsZero`), or a map
 * whose fields all are. A pointer field's `false` (securityContext.allowPrivilegeEscalation), a
 * label's `""` or any value in a custom resource is kept, so its absence live is drift.
 */
function storedAsAbsent(value: Json, place: Place): boolean {
  if (value === null) return true;
  if (keepsZero(place.schema)) return false;
  if (isObject(value)) return Object.entries(value).every(([field, child]) => storedAsAbsent(child, childPlace(place, field)));
  return isEmpty(value);
}

/** True where the kind's schema says the field holds a quantity. */
function isQuantityPlace(place: Place): boolean {
  return place.quantity?.(namesUp(place).reverse()) ?? false;
}

function sameScalar(desired: Json, live: Json, place: Place): boolean {
  if (desired === live) return true;
  if (typeof desired === 'number' && typeof live === 'string' && live.trim() !== '' && Number(live) === desired) return true;
  if (typeof desired === 'string' && typeof live === 'number' && desired.trim() !== '' && Number(desired) === live) return true;
  // Two numbers that differ are two quantities that differ: each number's shortest decimal form is its own value.
  if (typeof desired === 'number' && typeof live === 'number') return false;
  return quantitiesEqual(desired, live) && isQuantityPlace(place);
}

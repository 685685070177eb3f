import { compareStrings } from '../kube/order.ts';

/** Plain JSON values, as Kubernetes objects are once parsed. */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets `map[key]` as an own field, as `JSON.parse` and `Object.fromEntries` do: a key `__proto__` stays a key. */
export function setField(map: JsonObject, key: string, value: Json): void {
  if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}

/** Deep equality of JSON values (key order ignored). */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
}

/**
 * Deep equality as strict as alignment needs: maps may list their keys in any order, except maps
 * inside lists, which must list them in the same order (a set list compares its items as
 * `JSON.stringify` text, tools/drift/align.ts `alignSet`). A desired and a live value identical this
 * way align to equal trees (both sides take every branch of the alignment alike), so callers may
 * skip aligning them to find that out. `inList` is for the recursion.
 */
export function identicalJson(a: Json | undefined, b: Json | undefined, inList = false): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!identicalJson(a[i], b[i], true)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (inList) {
    const keys = Object.keys(a);
    const other = Object.keys(b);
    if (keys.length !== other.length) return false;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (other[i] !== key || !identicalJson(a[key], b[key], true)) return false;
    }
    return true;
  }
  return identicalFields(a, b) === IDENTICAL;
}

/** identicalFields of two maps identical as a whole. */
export const IDENTICAL = -1;

/**
 * For two maps outside lists: IDENTICAL when identicalJson holds; else how many of `a`'s fields, in
 * `a`'s order (Object.keys), are identical in `b` before the first that is not, all of them when `b`
 * only has more. Alignment takes that many fields as they are, not looking at them again.
 */
export function identicalFields(a: JsonObject, b: JsonObject): number {
  let count = 0;
  for (const key in a) {
    if (!Object.hasOwn(b, key) || !identicalJson(a[key], b[key], false)) return count;
    count++;
  }
  for (const _ in b) count--;
  return count === 0 ? IDENTICAL : Object.keys(a).length;
}

const INDEX = /^\d+$/;

/** Compares JSON Pointers segment by segment, array indices numerically, so reports read in document order. */
export function comparePointers(a: string, b: string): number {
  return compareSegments(a.split('/'), b.split('/'));
}

/** comparePointers of pointers already split at `/`. */
export function compareSegments(left: readonly string[], right: readonly string[]): number {
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] ?? '';
    const y = right[i] ?? '';
    if (x === y) continue;
    const numeric = INDEX.test(x) && INDEX.test(y);
    if (numeric) return Number(x) - Number(y);
    return compareStrings(x, y);
  }
  return left.length - right.length;
}

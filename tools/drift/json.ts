import { compareStrings } from '../kube/order.ts';

/** Plain JSON values, as Kubernetes objects are once parsed. */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
  let count = 0;
  for (const key in a) {
    if (!Object.hasOwn(b, key) || !identicalJson(a[key], b[key], false)) return false;
    count++;
  }
  for (const _ in b) count--;
  return count === 0;
}

/** Compares JSON Pointers segment by segment, array indices numerically, so reports read in document order. */
export function comparePointers(a: string, b: string): number {
  const left = a.split('/');
  const right = b.split('/');
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] ?? '';
    const y = right[i] ?? '';
    if (x === y) continue;
    const numeric = /^\d+$/.test(x) && /^\d+$/.test(y);
    if (numeric) return Number(x) - Number(y);
    return compareStrings(x, y);
  }
  return left.length - right.length;
}

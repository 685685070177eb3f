/**
 * Makes a changed object's diff readable where a line diff is not: a long one-line value (a JSON
 * blob in a ConfigMap) is diffed by its structure when it is JSON, else shown as a window around the
 * change; a value that changes only in whitespace or line endings is named as such, since the line
 * diff shows two lines that look the same. Pure: the objects passed in are not modified.
 */
import type { KubeObject } from '../kube/object.ts';

/** A one-line value longer than this is not read in a line diff. */
const LONG_VALUE = 200;
/** Characters kept either side of the change in a window. */
const WINDOW_CONTEXT = 60;

export interface ReadablePair {
  before: KubeObject;
  after: KubeObject;
  /** One line per rewritten or explained value: `data.config\.json: one-line JSON, diffed by its structure`. */
  notes: string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function pathOf(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const part = /^[A-Za-z_][\w-]*$/.test(key) ? key : key.replaceAll('.', '\\.');
  return parent ? `${parent}.${part}` : part;
}

function parseJson(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The two values from a little before the first difference to a little after the last, with `…` where cut. */
function window(a: string, b: string): [string, string, number] {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const start = Math.max(0, prefix - WINDOW_CONTEXT);
  const cut = (text: string): string => {
    const end = Math.min(text.length, text.length - suffix + WINDOW_CONTEXT);
    return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
  };
  return [cut(a), cut(b), start];
}

/** The rewritten pair of strings at `path`, and a note, or undefined when a line diff reads well. */
function readableStrings(path: string, a: string, b: string): { a: string; b: string; note: string } | undefined {
  if (a.replaceAll('\r\n', '\n') === b.replaceAll('\r\n', '\n')) {
    const direction = a.includes('\r\n') ? 'CRLF → LF' : 'LF → CRLF';
    return { a, b, note: `${path}: line endings only (${direction})` };
  }
  const whitespaceOnly = a.replace(/\s+/g, '') === b.replace(/\s+/g, '');
  if (a.includes('\n') || b.includes('\n') || Math.max(a.length, b.length) <= LONG_VALUE) {
    return whitespaceOnly ? { a, b, note: `${path}: whitespace only` } : undefined;
  }
  const [jsonA, jsonB] = [parseJson(a), parseJson(b)];
  if (jsonA !== undefined && jsonB !== undefined) {
    const pretty = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
    if (pretty(jsonA) === pretty(jsonB)) return { a, b, note: `${path}: one-line JSON, formatting only (same structure)` };
    return { a: pretty(jsonA), b: pretty(jsonB), note: `${path}: one-line JSON, diffed by its structure (pretty-printed)` };
  }
  const [shownA, shownB, start] = window(a, b);
  const what = whitespaceOnly ? 'whitespace only; ' : '';
  return {
    a: shownA,
    b: shownB,
    note: `${path}: ${what}one line of ${a.length} → ${b.length} characters, shown from character ${start + 1} around the change`,
  };
}

/** Walks two values in step; strings that differ at the same place are made readable. */
function walk(a: unknown, b: unknown, path: string, notes: string[]): [unknown, unknown] {
  if (typeof a === 'string' && typeof b === 'string' && a !== b) {
    const readable = readableStrings(path, a, b);
    if (!readable) return [a, b];
    notes.push(readable.note);
    return [readable.a, readable.b];
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const pairs = a.map((item, index) => (index < b.length ? walk(item, b[index], pathOf(path, index), notes) : [item, undefined]));
    return [pairs.map(([x]) => x), [...pairs.slice(0, b.length).map(([, y]) => y), ...b.slice(a.length)]];
  }
  if (isRecord(a) && isRecord(b)) {
    const outA: Record<string, unknown> = { ...a };
    const outB: Record<string, unknown> = { ...b };
    for (const key of Object.keys(a)) {
      if (key in b) [outA[key], outB[key]] = walk(a[key], b[key], pathOf(path, key), notes);
    }
    return [outA, outB];
  }
  return [a, b];
}

/** `before` and `after` with their hard-to-read changed values rewritten for the eye, and a note for each. */
export function readablePair(before: KubeObject, after: KubeObject): ReadablePair {
  const notes: string[] = [];
  const [a, b] = walk(before, after, '', notes);
  return { before: a as KubeObject, after: b as KubeObject, notes };
}

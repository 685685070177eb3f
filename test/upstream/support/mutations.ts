/**
 * Seeded random mutations of live objects for the differential oracle: each takes a live object and
 * a random source and returns the mutated object (or undefined when it has nothing to mutate).
 * Reproducible: the same seed gives the same mutation of the same object.
 */
import { TRACKING_ANNOTATION } from '../../../tools/drift/normalize.ts';
import type { KubeObject } from '../../../tools/kube/object.ts';

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;
type Path = (string | number)[];
type Json = any;

function pick<T>(rng: Rng, items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(rng() * items.length)];
}

/** Every node under the fields a user or controller may change: the body (not apiVersion/kind/status) and metadata labels/annotations. */
function nodes(object: Json): { path: Path; value: Json }[] {
  const out: { path: Path; value: Json }[] = [];
  const walk = (value: Json, path: Path): void => {
    out.push({ path, value });
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...path, i]));
    else if (value && typeof value === 'object') for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
  };
  for (const [key, value] of Object.entries(object)) if (!['apiVersion', 'kind', 'metadata', 'status'].includes(key)) walk(value, [key]);
  for (const key of ['labels', 'annotations']) {
    for (const [name, value] of Object.entries(object.metadata?.[key] ?? {}))
      if (name !== TRACKING_ANNOTATION) out.push({ path: ['metadata', key, name], value });
  }
  return out;
}

function parentOf(object: Json, path: Path): Json {
  let node = object;
  for (const key of path.slice(0, -1)) node = node[key];
  return node;
}

function set(object: Json, path: Path, value: Json): void {
  parentOf(object, path)[path[path.length - 1] as string] = value;
}

function remove(object: Json, path: Path): void {
  const parent = parentOf(object, path);
  const key = path[path.length - 1] as string | number;
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
}

const isLeaf = (v: Json): boolean => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const QUANTITY_KEYS = new Set([
  'cpu',
  'memory',
  'storage',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
  'requests.storage',
  'sizeLimit',
]);
const QUANTITY = /^(\d+)(m|Ki|Mi|Gi|Ti|k|M|G)?$/;

/** The same quantity in another unit (`1Gi` → `1024Mi`, `500m` → `0.5`, `2` → `2000m`), or undefined. */
function rewrittenQuantity(text: string): string | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const n = Number(match[1]);
  const unit = match[2] ?? '';
  const down: Record<string, string> = { Ti: 'Gi', Gi: 'Mi', Mi: 'Ki', G: 'M', M: 'k' };
  if (down[unit]) return `${n * (unit.endsWith('i') ? 1024 : 1000)}${down[unit]}`;
  if (unit === 'm') return n % 1000 === 0 ? String(n / 1000) : String(n / 1000);
  if (unit === '') return `${n * 1000}m`;
  if (unit === 'Ki' && n % 1024 === 0) return `${n / 1024}Mi`;
  return undefined;
}

/** A mutation kind: a name for reports and the change it makes to a copy of the live object. */
export interface MutationKind {
  name: string;
  /** How the change reaches the server: a whole-object update, or a server-side apply of `partial` by another manager. */
  write: 'update' | 'apply';
  mutate(object: Json, rng: Rng): { object: Json; where: string } | undefined;
}

const where = (path: Path): string => `/${path.join('/')}`;

export const MUTATION_KINDS: readonly MutationKind[] = [
  {
    name: 'value changed',
    write: 'update',
    mutate(object, rng) {
      const leaf = pick(
        rng,
        nodes(object).filter((n) => isLeaf(n.value) && n.value !== null),
      );
      if (!leaf) return undefined;
      const v = leaf.value;
      set(object, leaf.path, typeof v === 'boolean' ? !v : typeof v === 'number' ? v + 1 : `${v}x`);
      return { object, where: where(leaf.path) };
    },
  },
  {
    name: 'list item added',
    write: 'update',
    mutate(object, rng) {
      const list = pick(
        rng,
        nodes(object).filter((n) => Array.isArray(n.value) && n.value.length > 0),
      );
      if (!list) return undefined;
      const copy = structuredClone(pick(rng, list.value as Json[]));
      let item = copy;
      if (typeof copy === 'string') item = `${copy}x`;
      else if (typeof copy === 'number') item = copy + 1;
      else if (copy && typeof copy === 'object') {
        for (const key of ['name', 'mountPath', 'key', 'path']) if (typeof copy[key] === 'string') copy[key] = `${copy[key]}x`;
        for (const key of ['port', 'containerPort']) if (typeof copy[key] === 'number') copy[key] = copy[key] + 1000;
      }
      (list.value as Json[]).push(item);
      return { object, where: where(list.path) };
    },
  },
  {
    name: 'list item removed',
    write: 'update',
    mutate(object, rng) {
      const list = pick(
        rng,
        nodes(object).filter((n) => Array.isArray(n.value) && n.value.length > 0),
      );
      if (!list) return undefined;
      const index = Math.floor(rng() * list.value.length);
      (list.value as Json[]).splice(index, 1);
      return { object, where: `${where(list.path)}/${index}` };
    },
  },
  {
    name: 'list reordered',
    write: 'update',
    mutate(object, rng) {
      const list = pick(
        rng,
        nodes(object).filter(
          (n) => Array.isArray(n.value) && n.value.length > 1 && new Set(n.value.map((v: Json) => JSON.stringify(v))).size > 1,
        ),
      );
      if (!list) return undefined;
      const items = list.value as Json[];
      items.push(items.shift());
      return { object, where: where(list.path) };
    },
  },
  {
    name: 'quantity rewritten',
    write: 'update',
    mutate(object, rng) {
      const quantities = nodes(object).filter(
        (n) => typeof n.value === 'string' && QUANTITY_KEYS.has(String(n.path[n.path.length - 1])) && QUANTITY.test(n.value),
      );
      const leaf = pick(rng, quantities);
      if (!leaf) return undefined;
      const same = rng() < 0.5 ? rewrittenQuantity(leaf.value) : undefined;
      const match = QUANTITY.exec(leaf.value) as RegExpExecArray;
      set(object, leaf.path, same ?? `${Number(match[1]) * 2}${match[2] ?? ''}`);
      return { object, where: `${where(leaf.path)} ${same ? 'same value' : 'doubled'}` };
    },
  },
  {
    name: 'field emptied',
    write: 'update',
    mutate(object, rng) {
      const node = pick(
        rng,
        nodes(object).filter((n) => n.path.length > 1 && !Array.isArray(parentOf(object, n.path))),
      );
      if (!node) return undefined;
      const v = node.value;
      if (typeof v === 'string') set(object, node.path, '');
      else if (Array.isArray(v)) set(object, node.path, []);
      else if (v && typeof v === 'object') set(object, node.path, {});
      else remove(object, node.path);
      return { object, where: where(node.path) };
    },
  },
  {
    name: 'field removed',
    write: 'update',
    mutate(object, rng) {
      const node = pick(
        rng,
        nodes(object).filter((n) => n.path.length > 1),
      );
      if (!node) return undefined;
      remove(object, node.path);
      return { object, where: where(node.path) };
    },
  },
  {
    name: 'label or annotation added',
    write: 'update',
    mutate(object, rng) {
      const key = rng() < 0.5 ? 'labels' : 'annotations';
      object.metadata[key] = { ...object.metadata[key], 'mutator.example.com/added': 'yes' };
      return { object, where: `/metadata/${key}` };
    },
  },
  {
    name: 'other manager applies a field',
    write: 'apply',
    mutate(object, rng) {
      // map-only paths: a partial object needs no list merge keys
      const leaf = pick(
        rng,
        nodes(object).filter((n) => isLeaf(n.value) && n.value !== null && n.path.every((k) => typeof k === 'string')),
      );
      if (!leaf) return undefined;
      const partial: Json = {
        apiVersion: object.apiVersion,
        kind: object.kind,
        metadata: { name: object.metadata.name, ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}) },
      };
      let node = partial;
      for (const key of leaf.path.slice(0, -1)) node = node[key] ??= {};
      const v = leaf.value;
      const changed = rng() < 0.5;
      node[leaf.path[leaf.path.length - 1] as string] = !changed
        ? v
        : typeof v === 'boolean'
          ? !v
          : typeof v === 'number'
            ? v + 1
            : `${v}x`;
      return { object: partial, where: `${where(leaf.path)} ${changed ? 'changed' : 'same value'}` };
    },
  },
];

/**
 * The live object as written back by an update: what a client that read it sends (resourceVersion kept, managedFields left to the server).
 */
export function forUpdate(live: KubeObject): Json {
  const copy = structuredClone(live) as Json;
  delete copy.metadata.managedFields;
  delete copy.status;
  return copy;
}

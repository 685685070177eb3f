/**
 * What the Kubernetes API types say about each field: the one table of list types and merge keys
 * (server-side apply's list type and list-map keys, strategic merge's patch merge key and
 * strategy) and of pointer fields, read by drift (tools/drift/lists.ts, align.ts) and by the
 * overlay patches (tools/generate/patch.ts).
 *
 * Built-in kinds: `api-fields.json` beside this file, generated from the Go types of k8s.io/api
 * (by reflection: pointers, slices, maps) and the OpenAPI definitions the kube-apiserver serves
 * (k8s.io/kubernetes pkg/generated/openapi: `x-kubernetes-list-type`, `-list-map-keys`,
 * `-patch-merge-key`, `-patch-strategy`, key defaults), at the Kubernetes minor the catalog
 * targets, by test/upstream/kube-schema (its header says how to regenerate; the upstream tier
 * checks the committed file equals its output). Custom kinds: the CustomResourceDefinition's
 * `openAPIV3Schema` when known (`x-kubernetes-list-type`, `-list-map-keys`); a list it does not
 * type is atomic, as the API server takes it (k8s.io/kube-openapi pkg/schemaconv).
 */
import { readFileSync } from 'node:fs';

/** One field of a struct type, as the generated table writes it. */
export interface ApiField {
  /** The struct type of the field, of its list items or of its map values (a key of the table's types). */
  type?: string;
  /** A Go pointer: false, 0 and "" are values kept by the server, not the same as absent. */
  pointer?: boolean;
  /** A Go map: its keys are names chosen by the writer, its values of `type` (or scalars). */
  map?: boolean;
  /** A byte string (`[]byte`), written as base64 text; an empty one is stored as nil. */
  bytes?: boolean;
  /** Server-side apply's list type of a slice (k8s.io/kube-openapi pkg/schemaconv getListElementRelationship). */
  list?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  /** Schema defaults of the list-map keys: an item without the key is keyed by its default (a port's protocol, TCP). */
  keyDefaults?: Record<string, unknown>;
  /** Strategic merge patch: the key items merge by, and the strategy (`merge`, `retainKeys`, `merge,retainKeys`). */
  patchMergeKey?: string;
  patchStrategy?: string;
}

interface Table {
  source: string;
  kinds: Record<string, string>;
  types: Record<string, Record<string, ApiField>>;
}

let table: Table | undefined;

function loaded(): Table {
  table ??= JSON.parse(readFileSync(new URL('./api-fields.json', import.meta.url), 'utf8')) as Table;
  return table;
}

/** The module versions the table was generated from (`k8s.io/api v0.34.4, …`). */
export function apiFieldsSource(): string {
  return loaded().source;
}

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const OBJECT_META = 'k8s.io/apimachinery/pkg/apis/meta/v1.ObjectMeta';

/**
 * A position in an object's schema, reached from the kind's root by field names (`*` for a list
 * item, any name for a map value). Immutable; `child` steps one name down.
 */
export interface FieldSchema {
  /** What the schema says about the field at this position; undefined at the root, for list items, map values and plain scalars. */
  readonly field: ApiField | undefined;
  /** True for the value of a map entry (a label's value, a Secret's key): present with a zero is not absent. */
  readonly mapValue: boolean;
  /** True inside a custom resource's body: stored as JSON, every value (false, 0, "") kept as written. */
  readonly custom: boolean;
  child(name: string): FieldSchema;
}

const ITEM = '*';

class BuiltIn implements FieldSchema {
  readonly custom = false;
  readonly field: ApiField | undefined;
  readonly mapValue: boolean;
  readonly type: string | undefined;

  constructor(type: string | undefined, field: ApiField | undefined = undefined, mapValue = false) {
    this.type = type;
    this.field = field;
    this.mapValue = mapValue;
  }

  child(name: string): FieldSchema {
    const field = this.field;
    if (field?.list && name === ITEM) return new BuiltIn(field.type);
    if (field?.map) return new BuiltIn(field.type, field.bytes ? { bytes: true } : undefined, true);
    const child = this.type === undefined ? undefined : loaded().types[this.type]?.[name];
    return new BuiltIn(child?.type, child);
  }
}

/** A custom resource's body: list facts from its CRD schema (when known); every value kept. */
class Custom implements FieldSchema {
  readonly custom = true;
  readonly mapValue = false;
  readonly field: ApiField | undefined;
  readonly schema: Schema | undefined;
  readonly root: boolean;

  constructor(schema: Schema | undefined, root: boolean) {
    this.schema = schema;
    this.root = root;
    this.field = schema && schema['type'] === 'array' ? crdListFacts(schema) : undefined;
  }

  child(name: string): FieldSchema {
    if (this.root && name === 'metadata') return new BuiltIn(OBJECT_META);
    const at = this.schema;
    if (!at) return new Custom(undefined, false);
    const properties = at['properties'];
    const next =
      name === ITEM ? at['items'] : isSchema(properties) && isSchema(properties[name]) ? properties[name] : at['additionalProperties'];
    return new Custom(isSchema(next) ? next : undefined, false);
  }
}

/** A CRD array schema's list type and keys, atomic when it declares none (apiextensions-apiserver's default). */
function crdListFacts(schema: Schema): ApiField {
  const type = schema['x-kubernetes-list-type'];
  const keys = schema['x-kubernetes-list-map-keys'];
  if (type === 'set') return { list: 'set' };
  if (type === 'map' && Array.isArray(keys) && keys.every((key) => typeof key === 'string')) {
    const items = isSchema(schema['items']) ? schema['items'] : {};
    const properties = isSchema(items['properties']) ? items['properties'] : {};
    const keyDefaults: Record<string, unknown> = {};
    for (const key of keys as string[]) {
      const property = properties[key];
      if (isSchema(property) && property['default'] !== undefined) keyDefaults[key] = property['default'];
    }
    return { list: 'map', listMapKeys: keys as string[], ...(Object.keys(keyDefaults).length > 0 ? { keyDefaults } : {}) };
  }
  return { list: 'atomic' };
}

/** True when the generated table knows `apiVersion/kind` as a built-in kind. */
export function isBuiltInKind(apiVersion: string, kind: string): boolean {
  return Object.hasOwn(loaded().kinds, `${apiVersion}/${kind}`);
}

/**
 * The schema at the root of an object of `apiVersion` and `kind`: the built-in type when the table
 * has the kind, else a custom resource read with `crd` (its version's `openAPIV3Schema`, if known).
 */
export function schemaOf(apiVersion: string, kind: string, crd?: Record<string, unknown>): FieldSchema {
  const type = loaded().kinds[`${apiVersion}/${kind}`];
  return type !== undefined ? new BuiltIn(type) : new Custom(crd, true);
}

/**
 * True where the API server keeps a zero value (false, 0, "", an empty list or map) as written,
 * so that it differs from absent: a pointer field, a map entry's value, anything in a custom
 * resource. A non-pointer field of a built-in type cannot tell its zero from absent
 * (encoding/json `omitempty`, protobuf storage), so there a zero and absent are the same.
 */
export function keepsZero(schema: FieldSchema): boolean {
  return schema.custom || schema.mapValue || schema.field?.pointer === true;
}

/** The strategic-merge key of the list at `schema`, when strategic merge patches merge it by key (else it is replaced whole). */
export function patchMergeKey(schema: FieldSchema): string | undefined {
  const field = schema.field;
  if (!field?.list || !field.patchMergeKey) return undefined;
  return field.patchStrategy?.split(',').includes('merge') ? field.patchMergeKey : undefined;
}

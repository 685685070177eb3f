/**
 * Which fields of a kind hold a resource quantity, read from the schema, not from a list of names:
 * - built-in kinds: the Kubernetes OpenAPI schema that `kubernetes-models` ships, compiled into one
 *   validator per kind. A field is a quantity when that validator checks it against the `quantity`
 *   format (`io.k8s.apimachinery.pkg.api.resource.Quantity`): we offer it a non-quantity at that
 *   field and see whether it objects with that format. This finds HPA `averageValue` and `value`,
 *   `resources.limits.*`, `emptyDir.sizeLimit`, ResourceQuota `hard.*`, and every other one.
 * - custom kinds: the CustomResourceDefinition's `openAPIV3Schema`, where controller-gen writes a
 *   `resource.Quantity` as `x-kubernetes-int-or-string: true` with a quantity `pattern`
 *   (kubernetes-sigs/controller-tools `pkg/crd/known_types.go`).
 * Loaded lazily, one kind at a time, and remembered per field.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { groupOf, type KubeObject } from './object.ts';
import { escapePathComponent } from 'fast-json-patch';

/** A field's path from the object's root: field names, map keys, and `*` for a list item. */
export type FieldNames = readonly string[];

/** Answers "is this field a quantity?" for one apiVersion and kind. */
export type QuantityFields = (names: FieldNames) => boolean;

/** A string no quantity is: what the validator is offered. */
const NOT_A_QUANTITY = '§';
const ITEM = '*';

interface Model {
  new (data: unknown): { validate(): void };
}

interface ValidationErrors {
  errors?: { instancePath?: string; keyword?: string; params?: { format?: string } }[];
}

const require = createRequire(import.meta.url);
let modelsDir: string | undefined;

/** The kubernetes-models package folder (its `exports` offer `import` only, so files are loaded by path). */
function kubernetesModels(): string | undefined {
  modelsDir ??= (require.resolve.paths('kubernetes-models') ?? [])
    .map((dir) => join(dir, 'kubernetes-models'))
    .find((dir) => existsSync(join(dir, 'package.json')));
  return modelsDir;
}

const models = new Map<string, Model | undefined>();
/** DNS-label groups and a version: nothing that could name a file outside the package. */
const API_VERSION = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\/)?v[0-9]+[a-z0-9]*$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

/** The generated model class of a built-in kind, or undefined when kubernetes-models has none. */
function modelOf(apiVersion: string, kind: string): Model | undefined {
  const key = `${apiVersion}/${kind}`;
  if (models.has(key)) return models.get(key);
  let model: Model | undefined;
  const root = kubernetesModels();
  const file = root && KIND.test(kind) && API_VERSION.test(apiVersion) ? join(root, apiVersion, `${kind}.js`) : undefined;
  if (file && existsSync(file)) {
    const loaded = (require(file) as Record<string, unknown>)[kind];
    if (typeof loaded === 'function') model = loaded as Model;
  }
  models.set(key, model);
  return model;
}

/** A minimal object with NOT_A_QUANTITY at `names`, lists as one-item lists. */
function probe(apiVersion: string, kind: string, names: FieldNames): Record<string, unknown> {
  let value: unknown = NOT_A_QUANTITY;
  for (let i = names.length - 1; i >= 0; i--) value = names[i] === ITEM ? [value] : { [names[i] as string]: value };
  return { apiVersion, kind, metadata: { name: 'probe' }, ...(value as Record<string, unknown>) };
}

function pointer(names: FieldNames): string {
  return names.map((name) => `/${name === ITEM ? '0' : escapePathComponent(name)}`).join('');
}

function builtInQuantity(model: Model, apiVersion: string, kind: string, names: FieldNames): boolean {
  try {
    new model(probe(apiVersion, kind, names)).validate();
    return false;
  } catch (error) {
    const at = pointer(names);
    return ((error as ValidationErrors).errors ?? []).some(
      (entry) => entry.instancePath === at && entry.keyword === 'format' && entry.params?.format === 'quantity',
    );
  }
}

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A pattern that accepts quantities and refuses other words: controller-gen's, or one like it. */
function isQuantityPattern(pattern: unknown): boolean {
  if (typeof pattern !== 'string') return false;
  try {
    const regex = new RegExp(pattern);
    return ['1Gi', '500m', '1.5', '2'].every((text) => regex.test(text)) && !regex.test('quantity');
  } catch {
    return false;
  }
}

function crdQuantity(schema: Schema | undefined, names: FieldNames): boolean {
  let at: Schema | undefined = schema;
  for (const name of names) {
    if (!at) return false;
    const properties: unknown = at['properties'];
    const next: unknown =
      name === ITEM ? at['items'] : isSchema(properties) && isSchema(properties[name]) ? properties[name] : at['additionalProperties'];
    at = isSchema(next) ? next : undefined;
  }
  return at !== undefined && at['x-kubernetes-int-or-string'] === true && isQuantityPattern(at['pattern']);
}

/** `group/version/Kind` -> the version's openAPIV3Schema, from the CustomResourceDefinitions among `objects`. */
export function crdSchemas(objects: Iterable<KubeObject>): Map<string, Schema> {
  const schemas = new Map<string, Schema>();
  for (const object of objects) {
    if (object.kind !== 'CustomResourceDefinition' || groupOf(object.apiVersion) !== 'apiextensions.k8s.io') continue;
    const spec = object['spec'] as { group?: unknown; names?: { kind?: unknown }; versions?: unknown } | undefined;
    if (typeof spec?.group !== 'string' || typeof spec.names?.kind !== 'string' || !Array.isArray(spec.versions)) continue;
    for (const version of spec.versions as { name?: unknown; schema?: { openAPIV3Schema?: unknown } }[]) {
      const schema = version?.schema?.openAPIV3Schema;
      if (typeof version?.name === 'string' && isSchema(schema)) schemas.set(`${spec.group}/${version.name}/${spec.names.kind}`, schema);
    }
  }
  return schemas;
}

const answers = new Map<string, boolean>();

/**
 * The quantity test for one apiVersion and kind: the built-in schema when kubernetes-models has the
 * kind, else the CRD schema from `crds` (see crdSchemas), else no field is a quantity.
 */
export function quantityFields(apiVersion: string, kind: string, crds: ReadonlyMap<string, Schema> = new Map()): QuantityFields {
  const crd = crds.get(`${apiVersion}/${kind}`);
  return (names) => {
    const key = `${apiVersion}/${kind}:${names.join('\u0000')}`;
    let answer = answers.get(key);
    if (answer === undefined) {
      const model = modelOf(apiVersion, kind);
      answer = model ? builtInQuantity(model, apiVersion, kind, names) : crdQuantity(crd, names);
      if (!crd) answers.set(key, answer);
    }
    return answer;
  };
}

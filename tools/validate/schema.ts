/**
 * Schema gate: every rendered object against the Kubernetes and Argo CD OpenAPI schemas compiled
 * into kubernetes-models / @kubernetes-models/argo-cd, made strict about unknown fields.
 *
 * Rule ids (severity error, path a JSON Pointer into the object):
 *   schema/unknown-kind   apiVersion + kind is not a served Kubernetes or Argo CD API (removed, beta, typo, or a CRD we have no schema for)
 *   schema/unknown-field  a field the schema does not define (strict field validation rejects it; otherwise it is silently dropped)
 *   schema/required       a required field is missing; the path names the missing field
 *   schema/type           a value of the wrong type (including int-or-string and integer formats)
 *   schema/value          a value of the right type that the schema still refuses (enum, format, pattern, bounds)
 */
import { describeObject, type KubeObject } from '../kube/object.ts';
import type { RenderedApp } from '../render/tree.ts';
import type { Finding } from './finding.ts';
import { kindModel, servedVersionsOf, type KindModel } from './schema-kinds.ts';
import { compareStrings } from '../kube/order.ts';

/** The fields of ajv's ErrorObject this gate reads; the compiled validators throw an error carrying a list of them. */
interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** What the compiled validator read of one object node: the property names it checks, or all of them when it iterates. */
interface Reads {
  keys: Set<string>;
  enumerated: boolean;
}

const escapePointer = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');

/** kubernetes-models' generator drops properties named like schema annotations, so no validator reads them. */
const UNREAD_BY_VALIDATORS = /^(description|x-kubernetes-.+)$/;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The compiled validators ignore properties they do not define (the schemas carry no
 * `additionalProperties: false`), but they read every property they do define. Watching those reads
 * through a Proxy gives, per object node, exactly the schema's property names.
 */
function tracked(root: object, reads: Map<object, Reads>): object {
  const proxies = new WeakMap<object, object>();
  const readsOf = (target: object): Reads => {
    const known = reads.get(target) ?? { keys: new Set<string>(), enumerated: false };
    reads.set(target, known);
    return known;
  };
  const wrap = (value: object): object => {
    const existing = proxies.get(value);
    if (existing) return existing;
    const proxy = new Proxy(value, {
      get(target, key) {
        if (typeof key === 'string') readsOf(target).keys.add(key);
        const child: unknown = Reflect.get(target, key);
        return typeof child === 'object' && child !== null ? wrap(child) : child;
      },
      ownKeys(target) {
        readsOf(target).enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  return wrap(root);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function suggestion(key: string, known: ReadonlySet<string>): string {
  const close = [...known]
    .map((k) => ({ k, d: k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(k, key) }))
    .filter(({ d }) => d <= 2)
    .sort((a, b) => a.d - b.d || compareStrings(a.k, b.k))[0];
  return close ? `; did you mean "${close.k}"?` : '; remove it or fix its name';
}

interface UnknownField {
  pointer: string;
  message: string;
}

/** Object nodes the validator never read are free-form in the schema (e.g. Helm valuesObject) and are not descended into. */
function unknownFields(value: unknown, pointer: string, reads: ReadonlyMap<object, Reads>, out: UnknownField[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => unknownFields(item, `${pointer}/${i}`, reads, out));
    return;
  }
  if (!isRecord(value)) return;
  const seen = reads.get(value);
  if (!seen) return;
  for (const [key, child] of Object.entries(value)) {
    const at = `${pointer}/${escapePointer(key)}`;
    if (seen.enumerated || seen.keys.has(key) || UNREAD_BY_VALIDATORS.test(key)) unknownFields(child, at, reads, out);
    else
      out.push({
        pointer: at,
        message: `unknown field "${key}": strict field validation rejects it, otherwise it is silently dropped${suggestion(key, seen.keys)}`,
      });
  }
}

function isSchemaErrorList(value: unknown): value is SchemaError[] {
  return (
    Array.isArray(value) && value.every((e) => isRecord(e) && typeof e['instancePath'] === 'string' && typeof e['keyword'] === 'string')
  );
}

/** Runs the compiled schema on a proxy of the object; the library throws on invalid data, so errors come back as a list. */
function runSchema(model: KindModel, data: object, reads: Map<object, Reads>): SchemaError[] {
  try {
    model.prototype.validate.call(tracked(data, reads));
    return [];
  } catch (error) {
    const errors: unknown = isRecord(error) ? error['errors'] : undefined;
    if (!isSchemaErrorList(errors)) throw error;
    return errors;
  }
}

type Located = Pick<Finding, 'rule' | 'path' | 'message'>;

/** Messages name the field and the expected shape, never the value: a Secret's data may be what is wrong. */
function located(errors: readonly SchemaError[]): Located[] {
  const alternatives = new Set(errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath));
  const out: Located[] = [];
  for (const error of errors) {
    const path = error.instancePath;
    const branch = alternatives.has(path) && (error.keyword === 'type' || error.keyword === 'format');
    if (branch) continue;
    if (error.keyword === 'required') {
      const field = String(error.params['missingProperty']);
      out.push({ rule: 'schema/required', path: `${path}/${escapePointer(field)}`, message: `required field "${field}" is missing` });
    } else if (error.keyword === 'type') {
      out.push({ rule: 'schema/type', path, message: `must be of type ${String(error.params['type'])}` });
    } else if (error.keyword === 'oneOf' || error.keyword === 'anyOf') {
      const types = [
        ...new Set(errors.filter((e) => e.instancePath === path && e.keyword === 'type').map((e) => String(e.params['type']))),
      ].sort();
      out.push({
        rule: 'schema/type',
        path,
        message: types.length > 0 ? `must be of type ${types.join(' or ')}` : 'matches none of the shapes the schema allows',
      });
    } else if (error.keyword === 'enum') {
      out.push({ rule: 'schema/value', path, message: `must be one of ${JSON.stringify(error.params['allowedValues'])}` });
    } else if (error.keyword === 'format') {
      const format = String(error.params['format']);
      out.push({ rule: 'schema/value', path, message: `must match format "${format}"${format === 'byte' ? ' (base64)' : ''}` });
    } else {
      out.push({ rule: 'schema/value', path, message: error.message ?? `fails the schema's ${error.keyword} constraint` });
    }
  }
  return out;
}

function objectFindings(object: KubeObject): Located[] {
  const model = kindModel(object.apiVersion, object.kind);
  if (!model) {
    const served = servedVersionsOf(object.kind);
    const hint =
      served.length > 0
        ? `${object.kind} is served as ${served.join(', ')}: change apiVersion`
        : "no Kubernetes or Argo CD API serves this kind: fix apiVersion/kind, or add the CRD's schema to tools/validate/schema-kinds.ts";
    return [
      { rule: 'schema/unknown-kind', path: '/apiVersion', message: `${object.apiVersion} ${object.kind} is not a served API; ${hint}` },
    ];
  }
  // A private copy: the proxies must be free to wrap every node, and the caller's object stays untouched.
  const data = structuredClone(object);
  const reads = new Map<object, Reads>();
  const errors = located(runSchema(model, data, reads));
  const unknown: UnknownField[] = [];
  unknownFields(data, '', reads, unknown);
  return [...errors, ...unknown.map((u) => ({ rule: 'schema/unknown-field', path: u.pointer, message: u.message }))];
}

/** Schema findings for one rendered overlay, in object order; duplicates (same rule, path and message) reported once. */
export function schemaFindings(app: RenderedApp): Finding[] {
  const findings: Finding[] = [];
  for (const object of app.objects) {
    const seen = new Set<string>();
    for (const f of objectFindings(object)) {
      const key = `${f.rule}\u0000${f.path}\u0000${f.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({
        rule: f.rule,
        severity: 'error',
        env: app.env,
        component: app.component,
        object: describeObject(object),
        path: f.path,
        message: f.message,
      });
    }
  }
  return findings;
}

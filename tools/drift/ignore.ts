/** Argo CD's `ignoreDifferences`, compiled once per run and applied to aligned trees. */
import type { KubeObject } from '../kube/object.ts';
import { groupOf } from '../kube/object.ts';
import { isSecret } from '../kube/stored-bytes.ts';
import { trackingApps } from './normalize.ts';
import type { Json, JsonObject } from './json.ts';
import { escapePathComponent as escapePointerSegment, unescapePathComponent as unescapePointerSegment } from 'fast-json-patch';
import { comparePointers, isObject } from './json.ts';
import { deleteSelected, JqError } from './jq.ts';
import type { DriftWarning, IgnoreDifference, ObjectRef } from './types.ts';

export class DriftOptionsError extends Error {
  override readonly name = 'DriftOptionsError';
}

/** One `jqPathExpressions` entry, and where it was written, for warnings. */
export interface JqRule {
  expression: string;
  /** `ignoreDifferences[0].jqPathExpressions[1]` */
  rule: string;
  application?: string;
}

export interface IgnoreRule {
  matches(object: KubeObject): boolean;
  pointers: string[][];
  jq: JqRule[];
  managers: string[];
}

function glob(pattern: string): RegExp {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`);
}

function parsePointer(pointer: string, where: string): string[] {
  if (!pointer.startsWith('/') || pointer === '/') {
    throw new DriftOptionsError(`${where}: ${JSON.stringify(pointer)} is not a JSON Pointer below the root: write it like /spec/replicas`);
  }
  return pointer.slice(1).split('/').map(unescapePointerSegment);
}

/** An Application's rules apply to the objects Argo CD tracks for it (or tracks for no one yet). */
function ownedBy(object: KubeObject, application: string | undefined): boolean {
  if (!application) return true;
  const apps = trackingApps(object);
  return apps.length === 0 || apps.includes(application);
}

/** Validates and compiles the rules; throws DriftOptionsError naming the entry and field at fault. */
export function compileIgnores(rules: readonly IgnoreDifference[]): IgnoreRule[] {
  return rules.map((rule, index) => {
    const where = `${rule.application ? `Application ${rule.application} ` : ''}ignoreDifferences[${rule.index ?? index}]`;
    if (typeof rule.kind !== 'string' || rule.kind === '') {
      throw new DriftOptionsError(`${where}.kind: required (a kind, or * for every kind)`);
    }
    const group = glob(rule.group ?? '');
    const kind = glob(rule.kind);
    const name = rule.name ? glob(rule.name) : undefined;
    const jq = (rule.jqPathExpressions ?? []).map((expression, i): JqRule => ({
      expression,
      rule: `ignoreDifferences[${rule.index ?? index}].jqPathExpressions[${i}]`,
      ...(rule.application ? { application: rule.application } : {}),
    }));
    return {
      matches: (object: KubeObject) =>
        group.test(groupOf(object.apiVersion)) &&
        kind.test(object.kind) &&
        (!name || name.test(object.metadata.name)) &&
        (!rule.namespace || rule.namespace === object.metadata.namespace) &&
        ownedBy(object, rule.application),
      pointers: (rule.jsonPointers ?? []).map((pointer, i) => parsePointer(pointer, `${where}.jsonPointers[${i}]`)),
      jq,
      managers: rule.managedFieldsManagers ?? [],
    };
  });
}

/** Deletes the value at `segments`, if present. */
function deleteAt(document: Json, segments: readonly string[]): void {
  let parent: Json | undefined = document;
  for (const segment of segments.slice(0, -1)) {
    if (Array.isArray(parent)) parent = parent[Number(segment)];
    else if (isObject(parent)) parent = parent[segment];
    else return;
  }
  const last = segments[segments.length - 1] ?? '';
  if (Array.isArray(parent)) {
    if (/^\d+$/.test(last) && Number(last) < parent.length) parent.splice(Number(last), 1);
  } else if (isObject(parent)) {
    delete parent[last];
  }
}

/** Removes what the rules' JSON pointers name from an aligned tree, deepest and last paths first so indices hold. */
export function applyIgnores(rules: readonly IgnoreRule[], document: Json): void {
  const paths = rules.flatMap((rule) => rule.pointers);
  const ordered = paths
    .map((segments) => ({ segments, pointer: `/${segments.map(escapePointerSegment).join('/')}` }))
    .sort((a, b) => comparePointers(b.pointer, a.pointer));
  for (const { segments } of ordered) deleteAt(document, segments);
}

/** Where jq rules report: warnings, and expressions that cannot run on any object (reported once, then skipped). */
export interface JqContext {
  warnings: DriftWarning[];
  broken: Set<string>;
  timeoutMs?: number;
}

function objectRef(object: KubeObject): ObjectRef {
  const ref: ObjectRef = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name };
  if (object.metadata.namespace) ref.namespace = object.metadata.namespace;
  return ref;
}

/**
 * Both sides with what the rules' jq expressions select deleted, as Argo CD normalizes the
 * manifest and the live object before its diff. An expression that fails is a warning naming the
 * Application, the rule and the object; that object is compared without it, as Argo CD logs the
 * failure and skips the patch. A jq compile error is reported once and the expression skipped after.
 */
export function applyJqRules(rules: readonly IgnoreRule[], sides: readonly KubeObject[], context: JqContext): KubeObject[] {
  let out = [...sides];
  for (const rule of rules.flatMap((r) => r.jq)) {
    const key = `${rule.application ?? ''}\n${rule.rule}`;
    if (context.broken.has(key)) continue;
    try {
      out = out.map((side) => deleteSelected(rule.expression, side as unknown as JsonObject, context.timeoutMs) as unknown as KubeObject);
    } catch (error) {
      if (!(error instanceof JqError)) throw error;
      // jq quotes values in its messages: never a Secret's.
      const reason = sides.some((side) => isSecret(side)) ? 'jq error (details withheld: the object is a Secret)' : error.message;
      const warning: DriftWarning = { rule: rule.rule, expression: rule.expression, reason };
      if (rule.application) warning.application = rule.application;
      if (error.compile) context.broken.add(key);
      else warning.object = objectRef(sides[sides.length - 1] as KubeObject);
      context.warnings.push(warning);
    }
  }
  return out;
}

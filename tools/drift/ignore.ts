/** Argo CD's `ignoreDifferences`, compiled once per run and applied to aligned trees. */
import type { KubeObject } from '../kube/object.ts';
import { groupOf } from '../kube/object.ts';
import type { Json } from './json.ts';
import { comparePointers, escapePointerSegment, isObject, unescapePointerSegment } from './json.ts';
import { JqSubsetError, parseJq, selectPaths, type JqProgram } from './jq.ts';
import type { IgnoreDifference } from './types.ts';

export class DriftOptionsError extends Error {
  override readonly name = 'DriftOptionsError';
}

export interface IgnoreRule {
  matches(object: KubeObject): boolean;
  pointers: string[][];
  programs: JqProgram[];
  managers: string[];
}

function glob(pattern: string): RegExp {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`);
}

function parsePointer(pointer: string, where: string): string[] {
  if (!pointer.startsWith('/') || pointer === '/') {
    throw new DriftOptionsError(`${where}: ${JSON.stringify(pointer)} is not a JSON Pointer below the root: write it like /spec/replicas`);
  }
  return pointer.slice(1).split('/').map(unescapePointerSegment);
}

/** Validates and compiles the rules; throws DriftOptionsError naming the entry and field at fault. */
export function compileIgnores(rules: readonly IgnoreDifference[]): IgnoreRule[] {
  return rules.map((rule, index) => {
    const where = `ignoreDifferences[${index}]`;
    if (typeof rule.kind !== 'string' || rule.kind === '') {
      throw new DriftOptionsError(`${where}.kind: required (a kind, or * for every kind)`);
    }
    const group = glob(rule.group ?? '');
    const kind = glob(rule.kind);
    const name = rule.name ? glob(rule.name) : undefined;
    const programs = (rule.jqPathExpressions ?? []).map((expression, i) => {
      try {
        return parseJq(expression);
      } catch (error) {
        if (!(error instanceof JqSubsetError)) throw error;
        throw new DriftOptionsError(`${where}.jqPathExpressions[${i}]: ${error.message}`, { cause: error });
      }
    });
    return {
      matches: (object: KubeObject) =>
        group.test(groupOf(object.apiVersion)) &&
        kind.test(object.kind) &&
        (!name || name.test(object.metadata.name)) &&
        (!rule.namespace || rule.namespace === object.metadata.namespace),
      pointers: (rule.jsonPointers ?? []).map((pointer, i) => parsePointer(pointer, `${where}.jsonPointers[${i}]`)),
      programs,
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

/** Removes what the rules ignore from an aligned tree, deepest and last paths first so indices hold. */
export function applyIgnores(rules: readonly IgnoreRule[], document: Json): void {
  const paths: string[][] = [];
  for (const rule of rules) {
    paths.push(...rule.pointers);
    for (const program of rule.programs) paths.push(...selectPaths(program, document));
  }
  const ordered = paths
    .map((segments) => ({ segments, pointer: `/${segments.map(escapePointerSegment).join('/')}` }))
    .sort((a, b) => comparePointers(b.pointer, a.pointer));
  for (const { segments } of ordered) deleteAt(document, segments);
}

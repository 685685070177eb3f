/** Resource kinds as Argo CD's AppProject whitelists name them: an API group and a kind. */
import { compareStrings } from './order.ts';
import { groupOf, type KubeObject } from './object.ts';

export interface ResourceKind {
  /** The API group, `` for the core group. */
  group: string;
  kind: string;
}

/** The distinct (group, kind) of objects, in code-unit order of `group/kind`: what an AppProject whitelists. */
export function kindsOf(objects: readonly KubeObject[]): ResourceKind[] {
  const seen = new Map<string, ResourceKind>();
  for (const o of objects) seen.set(`${groupOf(o.apiVersion)}/${o.kind}`, { group: groupOf(o.apiVersion), kind: o.kind });
  return [...seen.values()].sort((a, b) => compareStrings(`${a.group}/${a.kind}`, `${b.group}/${b.kind}`));
}

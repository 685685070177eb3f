/**
 * kustomize's generated names: a ConfigMap or Secret from a generator is named `<name>-<hash>`, the
 * hash of its content, so every content change is also a change of name. Pairing the two names
 * shows such a change as what it is (a new version of the same object) instead of a removal and an
 * unrelated addition. The suffix is 10 characters of a hex digest with 0, 1, 3, a and e replaced by
 * g, h, k, m and t (sigs.k8s.io/kustomize api/hasher/hasher.go, `encode`).
 */
import { groupOf, type KubeObject } from '../kube/object.ts';

const SUFFIX = /^(.+)-[2456789bcdfghkmt]{10}$/;

/** The name without kustomize's hash suffix, for a ConfigMap or Secret that has one; else undefined. */
function generatedStem(object: KubeObject): string | undefined {
  if (groupOf(object.apiVersion) !== '' || (object.kind !== 'ConfigMap' && object.kind !== 'Secret')) return undefined;
  return SUFFIX.exec(object.metadata.name)?.[1];
}

function stemKey(object: KubeObject): string | undefined {
  const stem = generatedStem(object);
  return stem === undefined ? undefined : `${object.kind}/${object.metadata.namespace ?? ''}/${stem}`;
}

/**
 * Pairs objects only in `before` with objects only in `after` (keys of each map) that differ only
 * in the hash suffix of their generated name; a stem with several candidates on a side is not
 * paired. Returns head key -> base key.
 */
export function pairGeneratedNames(before: ReadonlyMap<string, KubeObject>, after: ReadonlyMap<string, KubeObject>): Map<string, string> {
  const candidates = (side: ReadonlyMap<string, KubeObject>, other: ReadonlyMap<string, KubeObject>): Map<string, string[]> => {
    const byStem = new Map<string, string[]>();
    for (const [key, object] of side) {
      const stem = other.has(key) ? undefined : stemKey(object);
      if (stem !== undefined) byStem.set(stem, [...(byStem.get(stem) ?? []), key]);
    }
    return byStem;
  };
  const removed = candidates(before, after);
  const pairs = new Map<string, string>();
  for (const [stem, added] of candidates(after, before)) {
    const gone = removed.get(stem);
    if (added.length === 1 && gone?.length === 1) pairs.set(added[0] as string, gone[0] as string);
  }
  return pairs;
}

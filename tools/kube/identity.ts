/**
 * Objects as Argo CD identifies them: group, kind, namespace and name, where a namespaced object
 * without a namespace takes the Application's destination namespace and a cluster-scoped object has
 * none, whatever its manifest says. Unknown kinds count as namespaced, as Argo CD counts them.
 * Source: argo-cd controller/state.go, DeduplicateTargetObjects (IsNamespacedOrUnknown, then
 * SetNamespace("") or SetNamespace(destination namespace)), keyed by gitops-engine's ResourceKey.
 */
import { groupOf, objectKey, type KubeObject } from './object.ts';
import { CLUSTER_SCOPED } from './scope.ts';

/** `group/Kind` of an object. */
function groupKind(object: KubeObject): string {
  return `${groupOf(object.apiVersion)}/${object.kind}`;
}

/** Whether `object` is a CustomResourceDefinition. */
export function isCustomResourceDefinition(object: KubeObject): boolean {
  return groupKind(object) === 'apiextensions.k8s.io/CustomResourceDefinition';
}

/** The kinds the CustomResourceDefinitions among `objects` define: `group/Kind` -> namespaced. */
export function definedScopes(objects: Iterable<KubeObject>): Map<string, boolean> {
  const scopes = new Map<string, boolean>();
  for (const object of objects) {
    if (!isCustomResourceDefinition(object)) continue;
    const spec = (object['spec'] ?? {}) as { group?: string; names?: { kind?: string }; scope?: string };
    if (spec.group && spec.names?.kind) scopes.set(`${spec.group}/${spec.names.kind}`, spec.scope !== 'Cluster');
  }
  return scopes;
}

/** Whether objects of this kind live in a namespace: built-in scopes, then `defined` (CRDs), else namespaced (unknown). */
export function isNamespaced(object: KubeObject, defined: ReadonlyMap<string, boolean> = new Map()): boolean {
  const kind = groupKind(object);
  return defined.get(kind) ?? !CLUSTER_SCOPED.has(kind);
}

/**
 * `object` with the namespace Argo CD gives it: a namespaced object without one gets
 * `destinationNamespace`; a cluster-scoped object loses any. The same object when nothing changes.
 */
export function withArgoNamespace(
  object: KubeObject,
  destinationNamespace: string | undefined,
  defined: ReadonlyMap<string, boolean> = new Map(),
): KubeObject {
  const namespace = object.metadata.namespace;
  if (!isNamespaced(object, defined)) {
    if (namespace === undefined) return object;
    const { namespace: _dropped, ...metadata } = object.metadata;
    return { ...object, metadata: metadata as KubeObject['metadata'] };
  }
  if (namespace || !destinationNamespace) return object;
  return { ...object, metadata: { ...object.metadata, namespace: destinationNamespace } };
}

/** Argo CD's key of an object: group/kind/namespace/name after its namespace rules. */
export function argoKey(
  object: KubeObject,
  destinationNamespace: string | undefined,
  defined: ReadonlyMap<string, boolean> = new Map(),
): string {
  return objectKey(withArgoNamespace(object, destinationNamespace, defined));
}

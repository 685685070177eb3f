import { groupOf, type KubeObject } from '../kube/object.ts';
import { canonicalize } from '../yaml.ts';
import { isSecret } from '../kube/stored-bytes.ts';
import { hasKeyChanges, secretKeyChanges } from './secret.ts';
import { withoutTemplateSizes } from './claim-size.ts';

/** A change Kubernetes will refuse on update: the field, and what happens and what to do, in one line. */
export interface ImmutableChange {
  field: string;
  message: string;
}

const WORKLOADS_WITH_SELECTOR = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);
/** The only PersistentVolumeClaim spec fields the API server lets an update touch. */
const CLAIM_MUTABLE_SPEC = new Set(['resources', 'volumeAttributesClassName']);

const RECREATE = 'the sync fails until the object is deleted and recreated';
const ORPHAN = 'delete the StatefulSet with --cascade=orphan (pods and claims stay), then sync to recreate it';
const NEW_CLAIM = 'create a claim under a new name and migrate the data';
const NEW_NAME = 'create it under a new name and point its consumers at it';
const JOB = 'make the Job an Argo CD hook with hook-delete-policy BeforeHookCreation, or delete it before syncing';

function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonicalize(a)) === JSON.stringify(canonicalize(b));
}

/** A short value for a message; only ever called on fields that cannot hold secrets. */
function shown(value: unknown): string {
  if (value === undefined) return 'unset';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function transition(base: KubeObject, head: KubeObject, path: string): string {
  return `${shown(at(base, path))} → ${shown(at(head, path))}`;
}

function changedPaths(base: KubeObject, head: KubeObject, paths: readonly string[], explain: (path: string) => string): ImmutableChange[] {
  return paths.filter((path) => !same(at(base, path), at(head, path))).map((path) => ({ field: path, message: explain(path) }));
}

function workloadChanges(base: KubeObject, head: KubeObject): ImmutableChange[] {
  const changes = changedPaths(
    base,
    head,
    ['spec.selector'],
    (path) => `${path} changed: Kubernetes refuses to change a selector; ${RECREATE}`,
  );
  if (head.kind !== 'StatefulSet') return changes;
  const refused = (path: string) => `${path} changed: Kubernetes refuses the update; ${ORPHAN}`;
  // A size alone is claim-size.ts's: recreating the StatefulSet would not resize the claims it made.
  const templates = same(withoutTemplateSizes(base), withoutTemplateSizes(head))
    ? []
    : [{ field: 'spec.volumeClaimTemplates', message: refused('spec.volumeClaimTemplates') }];
  return [...changes, ...templates, ...changedPaths(base, head, ['spec.serviceName', 'spec.podManagementPolicy'], refused)];
}

function claimChanges(base: KubeObject, head: KubeObject): ImmutableChange[] {
  const names = new Set([...Object.keys(at(base, 'spec') ?? {}), ...Object.keys(at(head, 'spec') ?? {})]);
  const fixed = [...names]
    .filter((name) => !CLAIM_MUTABLE_SPEC.has(name))
    .sort()
    .map((name) => `spec.${name}`);
  // The storage size is claim-size.ts's, a volume-size flag.
  return changedPaths(
    base,
    head,
    fixed,
    (path) => `${path} changed (${transition(base, head, path)}): Kubernetes refuses the update; ${NEW_CLAIM}`,
  );
}

function immutableDataChanges(base: KubeObject, head: KubeObject): ImmutableChange[] {
  if (base['immutable'] !== true) return [];
  if (head['immutable'] !== true) {
    return [{ field: 'immutable', message: `immutable changed (true → ${shown(head['immutable'])}): Kubernetes refuses it; ${NEW_NAME}` }];
  }
  if (isSecret(base)) {
    const keys = secretKeyChanges(base, head);
    if (!hasKeyChanges(keys)) return [];
    const named = [...keys.added, ...keys.removed, ...keys.changed].sort().join(', ');
    return [{ field: 'data', message: `data changed (keys ${named}) while immutable: true: Kubernetes refuses the update; ${NEW_NAME}` }];
  }
  return changedPaths(
    base,
    head,
    ['data', 'binaryData'],
    (path) => `${path} changed while immutable: true: Kubernetes refuses the update; ${NEW_NAME}`,
  );
}

function isArgoHook(object: KubeObject): boolean {
  return object.metadata.annotations?.['argocd.argoproj.io/hook'] !== undefined;
}

/** Changes between two versions of one object that the API server will refuse to apply in place. */
export function immutableChanges(base: KubeObject, head: KubeObject): ImmutableChange[] {
  const group = groupOf(head.apiVersion);
  if (group === 'apps' && WORKLOADS_WITH_SELECTOR.has(head.kind)) return workloadChanges(base, head);
  if (group === 'batch' && head.kind === 'Job') {
    // Argo CD deletes a hook before creating it again (BeforeHookCreation is its default policy).
    if (isArgoHook(head)) return [];
    return changedPaths(
      base,
      head,
      ['spec.selector', 'spec.template'],
      (path) => `${path} changed: a Job cannot be updated in place; ${JOB}`,
    );
  }
  if (group !== '') return [];
  switch (head.kind) {
    case 'PersistentVolumeClaim':
      return claimChanges(base, head);
    case 'Service':
      return changedPaths(
        base,
        head,
        ['spec.clusterIP'],
        (path) => `${path} changed (${transition(base, head, path)}): Kubernetes refuses to change a cluster IP; ${RECREATE}`,
      );
    case 'ConfigMap':
    case 'Secret':
      return immutableDataChanges(base, head);
    default:
      return [];
  }
}

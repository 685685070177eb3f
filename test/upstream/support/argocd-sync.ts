/**
 * A sync the way Argo CD runs one with `ServerSideApply=true`: every object of an Application gets
 * its tracking annotation and is server-side applied as field manager `argocd-controller` with
 * conflicts forced, in Argo CD's order (phase, sync wave, kind, name), Applications in the
 * catalog's wave order.
 * Upstream sources: argoproj/argo-cd gitops-engine/pkg/sync/sync_tasks.go (kindOrder, Less),
 * docs/user-guide/sync-options.md (server-side apply, field manager `argocd-controller`),
 * docs/user-guide/resource_tracking.md (`argocd.argoproj.io/tracking-id: app:group/kind:namespace/name`).
 */
import { WAVES } from '../../../tools/catalog/waves.ts';
import type { ComponentName } from '../../../tools/catalog/types.ts';
import { groupOf, type KubeObject } from '../../../tools/kube/object.ts';
import { compareStrings } from '../../../tools/kube/order.ts';
import { TRACKING_ANNOTATION } from '../../../tools/drift/normalize.ts';
import type { RenderedTree } from '../../../tools/render/tree.ts';
import type { KubeClient } from './kube.ts';
import { EXTERNAL_SECRETS_GROUP, externalSecretsCrds } from './external-secrets-crds.ts';

export const ARGOCD_MANAGER = 'argocd-controller';

const KIND_ORDER = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];
const PHASES: Record<string, number> = { PreSync: -1, Sync: 0, PostSync: 1, SyncFail: 2 };

/** One object as Argo CD applies it for `app`: with the tracking annotation, in the Application's destination namespace. */
export interface SyncTask {
  app: string;
  object: KubeObject;
}

function kindRank(kind: string): number {
  const index = KIND_ORDER.indexOf(kind);
  return index < 0 ? 0 : index - KIND_ORDER.length;
}

function annotation(object: KubeObject, key: string): string | undefined {
  const value = object.metadata.annotations?.[key];
  return typeof value === 'string' ? value : undefined;
}

function phase(object: KubeObject): number {
  const hook = annotation(object, 'argocd.argoproj.io/hook');
  return hook === undefined ? 0 : (PHASES[hook.split(',')[0]?.trim() ?? ''] ?? 0);
}

function wave(object: KubeObject): number {
  return Number(annotation(object, 'argocd.argoproj.io/sync-wave') ?? 0);
}

/** The object with Argo CD's tracking annotation for `app`. */
export function tracked(object: KubeObject, app: string): KubeObject {
  const copy = structuredClone(object);
  const id = `${app}:${groupOf(copy.apiVersion)}/${copy.kind}:${copy.metadata.namespace ?? ''}/${copy.metadata.name}`;
  copy.metadata.annotations = { ...copy.metadata.annotations, [TRACKING_ANNOTATION]: id };
  return copy;
}

/** One environment's sync tasks: Applications by catalog wave, each app's objects in Argo CD's order. */
export function syncPlan(tree: RenderedTree, env: string): SyncTask[] {
  const apps = tree.apps
    .filter((a) => a.env === env)
    .sort((a, b) => WAVES[a.component as ComponentName] - WAVES[b.component as ComponentName] || compareStrings(a.component, b.component));
  return apps.flatMap((a) => {
    const app = `${env}-${a.component}`;
    const ordered = [...a.objects].sort(
      (x, y) =>
        phase(x) - phase(y) ||
        wave(x) - wave(y) ||
        kindRank(x.kind) - kindRank(y.kind) ||
        (x.metadata.name < y.metadata.name ? -1 : x.metadata.name > y.metadata.name ? 1 : 0),
    );
    return ordered.map((object) => ({ app, object: tracked(object, app) }));
  });
}

export interface Rejection {
  task: SyncTask;
  reason: string;
}

/**
 * What kube-controller-manager's resourcequota controller does within seconds of a quota's creation:
 * `status.hard` from the spec, `status.used` counted (nothing exists yet that it counts). Quota
 * admission enforces only what `status.hard` lists (k8s.io/apiserver v0.34.4
 * pkg/admission/plugin/resourcequota/controller.go, `CheckRequest`), so without this step, on a
 * server that runs no controllers, the quota would silently constrain nothing.
 */
async function recordQuotaStatus(client: KubeClient, quota: KubeObject): Promise<void> {
  const live = (await client.get(quota)) as KubeObject & { spec: { hard: Record<string, string> } };
  const used = Object.fromEntries(Object.keys(live.spec.hard).map((k) => [k, '0']));
  const { object } = await client.paths(quota);
  await client.request('PUT', `${object}/status?fieldManager=resourcequota-controller`, {
    ...live,
    status: { hard: live.spec.hard, used },
  });
}

/**
 * What the cluster runs before the stack: the External Secrets Operator's CRDs when a task applies
 * one of its kinds, installed as its chart would (field manager `external-secrets-install`) and
 * waited for until the API serves them.
 */
async function installPrerequisites(client: KubeClient, tasks: readonly SyncTask[]): Promise<void> {
  if (!tasks.some((task) => groupOf(task.object.apiVersion) === EXTERNAL_SECRETS_GROUP)) return;
  for (const crd of externalSecretsCrds()) await client.apply(crd, { fieldManager: 'external-secrets-install', force: true });
  for (let attempt = 0; ; attempt++) {
    try {
      await client.request('GET', `/apis/${EXTERNAL_SECRETS_GROUP}/v1`);
      return;
    } catch (error) {
      if (attempt >= 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Applies every task in order as `argocd-controller` (forced, strict validation); returns what the server refused. */
export async function sync(client: KubeClient, tasks: readonly SyncTask[]): Promise<Rejection[]> {
  await installPrerequisites(client, tasks);
  const rejected: Rejection[] = [];
  for (const task of tasks) {
    try {
      await client.apply(task.object, { fieldManager: ARGOCD_MANAGER, force: true });
      if (task.object.kind === 'ResourceQuota' && groupOf(task.object.apiVersion) === '') await recordQuotaStatus(client, task.object);
    } catch (error) {
      rejected.push({ task, reason: (error as Error).message });
    }
  }
  return rejected;
}

export function describeTask(task: SyncTask): string {
  return `${task.app} ${task.object.kind} ${task.object.metadata.namespace ? `${task.object.metadata.namespace}/` : ''}${task.object.metadata.name}`;
}

/**
 * The one walker over pod templates. Where each workload kind keeps its pod template follows the
 * API types (k8s.io/api apps/v1 DeploymentSpec/StatefulSetSpec/DaemonSetSpec/ReplicaSetSpec
 * `Template`, batch/v1 JobSpec `Template`, CronJobSpec `JobTemplate.Spec.Template`, core/v1
 * ReplicationControllerSpec `Template`); a Pod is its own template.
 */
import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { groupOf, type KubeObject } from './object.ts';

export type Segment = string | number;

/** Where each workload kind (by API group) keeps its pod template (metadata and spec). */
const POD_TEMPLATE_PATHS: ReadonlyMap<string, readonly Segment[]> = new Map([
  ['apps/Deployment', ['spec', 'template']],
  ['apps/StatefulSet', ['spec', 'template']],
  ['apps/DaemonSet', ['spec', 'template']],
  ['apps/ReplicaSet', ['spec', 'template']],
  ['batch/Job', ['spec', 'template']],
  ['batch/CronJob', ['spec', 'jobTemplate', 'spec', 'template']],
  ['/ReplicationController', ['spec', 'template']],
  ['/Pod', []],
]);

/** The lists of containers a pod spec holds, in the order the kubelet starts them. */
export const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
export type ContainerList = (typeof CONTAINER_LISTS)[number];

/** `['spec', 0]` -> `/spec/0`. */
export const pointer = (segments: readonly Segment[]): string => segments.map((s) => `/${s}`).join('');

export function child(value: unknown, segment: Segment): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[segment] : undefined;
}

/** True for an object of a kind that runs pods (a Pod or a workload with a pod template). */
export function runsPods(object: KubeObject): boolean {
  return POD_TEMPLATE_PATHS.has(`${groupOf(object.apiVersion)}/${object.kind}`);
}

/** A workload's pod spec: where it sits (`path`, segments from the object's root), the spec, and the pod template's labels. */
export interface PodSpecAt {
  path: readonly Segment[];
  pod: V1PodSpec;
  labels: Record<string, string>;
}

/** A workload's pod spec and where it sits, or undefined for an object that runs no pods (or has no spec yet). */
export function podSpecOf(object: KubeObject): PodSpecAt | undefined {
  const templatePath = POD_TEMPLATE_PATHS.get(`${groupOf(object.apiVersion)}/${object.kind}`);
  if (!templatePath) return undefined;
  const template = templatePath.reduce<unknown>(child, object);
  const pod = child(template, 'spec');
  if (typeof pod !== 'object' || pod === null) return undefined;
  const labels = child(child(template, 'metadata'), 'labels');
  return {
    path: [...templatePath, 'spec'],
    pod: pod as V1PodSpec,
    labels: typeof labels === 'object' && labels !== null ? (labels as Record<string, string>) : {},
  };
}

/** One container of a pod spec, with the list it is in and its index there. */
export interface ContainerAt {
  list: ContainerList;
  index: number;
  container: V1Container;
}

/** The containers of a pod spec in `lists` (by default init containers, then containers), list by list. */
export function containersOf(pod: V1PodSpec, lists: readonly ContainerList[] = ['initContainers', 'containers']): ContainerAt[] {
  return lists.flatMap((list) => {
    const containers: unknown = pod[list];
    return Array.isArray(containers) ? containers.map((container: V1Container, index) => ({ list, index, container })) : [];
  });
}

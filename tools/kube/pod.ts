import type { V1PodSpec } from '@kubernetes/client-node';
import { groupOf, type KubeObject } from './object.ts';

export type Segment = string | number;

/** Where each workload kind (by API group) keeps its pod spec. */
export const POD_SPEC_PATHS: ReadonlyMap<string, readonly Segment[]> = new Map([
  ['apps/Deployment', ['spec', 'template', 'spec']],
  ['apps/StatefulSet', ['spec', 'template', 'spec']],
  ['apps/DaemonSet', ['spec', 'template', 'spec']],
  ['apps/ReplicaSet', ['spec', 'template', 'spec']],
  ['batch/Job', ['spec', 'template', 'spec']],
  ['batch/CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec']],
  ['/ReplicationController', ['spec', 'template', 'spec']],
  ['/Pod', ['spec']],
]);

/** `['spec', 0]` -> `/spec/0`. */
export const pointer = (segments: readonly Segment[]): string => segments.map((s) => `/${s}`).join('');

export function child(value: unknown, segment: Segment): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[segment] : undefined;
}

/** A workload's pod spec and where it sits, or undefined for an object that runs no pods. */
export function podSpecOf(object: KubeObject): { path: readonly Segment[]; pod: V1PodSpec } | undefined {
  const path = POD_SPEC_PATHS.get(`${groupOf(object.apiVersion)}/${object.kind}`);
  if (!path) return undefined;
  const pod = path.reduce<unknown>(child, object);
  return typeof pod === 'object' && pod !== null ? { path, pod: pod as V1PodSpec } : undefined;
}

import type { V1Container } from '@kubernetes/client-node';
import { objectKey, type KubeObject } from '../kube/object.ts';
import { deepEqual, diffObject, type JsonObject } from './patch.ts';
import { byKey } from '../kube/order.ts';
import { containersOf, podSpecOf } from '../kube/pod.ts';

export interface ImageOverride {
  name: string;
  newTag: string;
}

export interface ReplicaOverride {
  name: string;
  count: number;
}

/** What an environment's overlay holds: the difference between the base and the environment. */
export interface OverlayPlan {
  /** Objects only the environment has. */
  resources: KubeObject[];
  /** Strategic-merge patches, including `$patch: delete` for objects the environment drops. */
  patches: KubeObject[];
  replicas: ReplicaOverride[];
  images: ImageOverride[];
}

const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The init containers and containers of an object's pod template, the objects themselves (so an image can be set in place). */
function containersIn(object: KubeObject): V1Container[] {
  const spec = podSpecOf(object);
  return spec ? containersOf(spec.pod).map((at) => at.container) : [];
}

function splitImage(ref: string): { name: string; tag: string } | undefined {
  const at = ref.lastIndexOf(':');
  return at > ref.lastIndexOf('/') ? { name: ref.slice(0, at), tag: ref.slice(at + 1) } : undefined;
}

function tagsByImage(objects: readonly KubeObject[]): Map<string, Set<string>> {
  const tags = new Map<string, Set<string>>();
  for (const container of objects.flatMap(containersIn)) {
    const image = splitImage(String(container.image));
    if (!image) continue;
    tags.set(image.name, (tags.get(image.name) ?? new Set()).add(image.tag));
  }
  return tags;
}

/** Tag changes that kustomize's `images` field can express: one tag in the base, one other tag in the environment. */
function imageOverrides(base: readonly KubeObject[], env: readonly KubeObject[]): ImageOverride[] {
  const before = tagsByImage(base);
  const overrides: ImageOverride[] = [];
  for (const [name, after] of tagsByImage(env)) {
    const old = before.get(name);
    if (old?.size === 1 && after.size === 1) {
      const [newTag] = [...after];
      if (newTag !== undefined && !old.has(newTag)) overrides.push({ name, newTag });
    }
  }
  return overrides.sort(byKey((o) => o.name));
}

function applyImages(object: KubeObject, images: readonly ImageOverride[]): void {
  for (const container of containersIn(object)) {
    const image = splitImage(String(container.image));
    const override = image && images.find((o) => o.name === image.name);
    if (override) container.image = `${override.name}:${override.newTag}`;
  }
}

function identity(object: KubeObject): KubeObject {
  const { name, namespace } = object.metadata;
  return { apiVersion: object.apiVersion, kind: object.kind, metadata: namespace ? { name, namespace } : { name } };
}

/** Plans the overlay that turns `base` (the baseline's objects) into `env` (an environment's). */
export function planOverlay(base: readonly KubeObject[], env: readonly KubeObject[]): OverlayPlan {
  const baseByKey = new Map(base.map((o) => [objectKey(o), o]));
  const envKeys = new Set(env.map(objectKey));
  const images = imageOverrides(base, env);
  const plan: OverlayPlan = { resources: [], patches: [], replicas: [], images };

  for (const target of env) {
    const original = baseByKey.get(objectKey(target));
    if (!original) {
      plan.resources.push(target);
      continue;
    }
    const before = clone(original);
    applyImages(before, images);
    const beforeSpec = before['spec'] as JsonObject | undefined;
    const targetSpec = target['spec'] as JsonObject | undefined;
    if (
      SCALABLE.has(target.kind) &&
      beforeSpec &&
      targetSpec &&
      beforeSpec['replicas'] !== targetSpec['replicas'] &&
      typeof targetSpec['replicas'] === 'number'
    ) {
      plan.replicas.push({ name: target.metadata.name, count: targetSpec['replicas'] });
      beforeSpec['replicas'] = targetSpec['replicas'];
    }
    if (deepEqual(before as unknown as JsonObject, target as unknown as JsonObject)) continue;
    const change = diffObject(before as unknown as JsonObject, target as unknown as JsonObject);
    if (change)
      plan.patches.push({
        ...(change as unknown as KubeObject),
        ...identity(target),
        metadata: { ...((change['metadata'] as object) ?? {}), ...identity(target).metadata },
      });
  }
  for (const original of base) {
    if (!envKeys.has(objectKey(original))) plan.patches.push({ ...identity(original), $patch: 'delete' });
  }
  plan.replicas.sort(byKey((r) => r.name));
  return plan;
}

import { describeObject, objectKey, type KubeObject } from '../kube/object.ts';
import { byKey, compareStrings } from '../kube/order.ts';
import { CONTAINER_LISTS, containersOf, podSpecOf } from '../kube/pod.ts';

/** Every container image of an object, keyed by `<list>/<container name>`. */
function containerImages(object: KubeObject): Map<string, string> {
  const images = new Map<string, string>();
  const spec = podSpecOf(object);
  for (const { list, container } of spec ? containersOf(spec.pod, CONTAINER_LISTS) : []) {
    if (typeof container.name === 'string' && typeof container.image === 'string') images.set(`${list}/${container.name}`, container.image);
  }
  return images;
}

/** One image change in one app: `from` is undefined for an image the app did not run before. */
export interface ImageChange {
  from?: string;
  to: string;
  objects: string[];
}

/**
 * Image changes between two versions of one app, one entry per distinct change: containers paired by
 * object and container name; a container added with an image the app did not use before is an
 * addition. Ordered by image.
 */
export function imageChanges(base: readonly KubeObject[], head: readonly KubeObject[]): ImageChange[] {
  const before = new Map(base.map((object) => [objectKey(object), containerImages(object)]));
  const usedBefore = new Set([...before.values()].flatMap((images) => [...images.values()]));
  const changes = new Map<string, ImageChange>();
  const record = (from: string | undefined, to: string, object: KubeObject) => {
    const id = `${from ?? ''}\n${to}`;
    const change = changes.get(id) ?? (from === undefined ? { to, objects: [] } : { from, to, objects: [] });
    const name = describeObject(object);
    if (!change.objects.includes(name)) change.objects.push(name);
    changes.set(id, change);
  };
  for (const object of head) {
    const old = before.get(objectKey(object));
    for (const [slot, image] of containerImages(object)) {
      const previous = old?.get(slot);
      if (previous !== undefined && previous !== image) record(previous, image, object);
      if (previous === undefined && !usedBefore.has(image)) record(undefined, image, object);
    }
  }
  for (const change of changes.values()) change.objects.sort(compareStrings);
  const order = (change: ImageChange) => `${change.from ?? ''}\n${change.to}`;
  return [...changes.values()].sort(byKey(order));
}

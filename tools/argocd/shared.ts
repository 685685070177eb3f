/**
 * Objects that more than one Application deploys to the same cluster. Argo CD tracks an object for
 * one Application only; with the sync option `FailOnSharedResource=true` the sync of an Application
 * finding an object another one tracks fails (Argo CD docs, user-guide/sync-options.md).
 */
import type { KubeObject } from '../kube/object.ts';

export interface SharedObject {
  /** Where the apps deploy: an environment or a destination cluster. */
  group: string;
  /** The object's key, as the apps' maps key it (Argo CD's identity, tools/kube/identity.ts). */
  key: string;
  /** The apps rendering it, sorted. */
  apps: string[];
  object: KubeObject;
}

/** Every key rendered by more than one app of the same group, in the order first seen. */
export function sharedObjects(apps: readonly { group: string; app: string; objects: ReadonlyMap<string, KubeObject> }[]): SharedObject[] {
  const seen = new Map<string, SharedObject>();
  for (const { group, app, objects } of apps) {
    for (const [key, object] of objects) {
      const id = `${group}\n${key}`;
      const entry = seen.get(id);
      if (!entry) seen.set(id, { group, key, apps: [app], object });
      else if (!entry.apps.includes(app)) entry.apps.push(app);
    }
  }
  return [...seen.values()].filter((entry) => entry.apps.length > 1).map((entry) => ({ ...entry, apps: entry.apps.sort() }));
}

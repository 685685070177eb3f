/**
 * The server as the oracle of drift: "would a sync change anything?" is answered by a server-side
 * apply dry run of the desired object as `argocd-controller` with conflicts forced (as Argo CD
 * applies, and as its server-side diff predicts the live state), compared with the live object,
 * ignoring what Argo CD's diff ignores: status, managedFields and the metadata the server keeps
 * for itself (argoproj/argo-cd gitops-engine pkg/diff/diff.go: `normalize`/`remarshal`, and
 * `ServerSideDiff` in docs/user-guide/diff-strategies.md).
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../../tools/kube/object.ts';
import { ARGOCD_MANAGER } from './argocd-sync.ts';
import { KubeRequestError, type KubeClient } from './kube.ts';

const SERVER_METADATA = ['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp', 'selfLink'];

function comparable(object: KubeObject): unknown {
  const copy = structuredClone(object) as Record<string, any>;
  delete copy['status'];
  for (const key of SERVER_METADATA) delete copy['metadata'][key];
  if (copy['metadata'].annotations) {
    delete copy['metadata'].annotations['kubectl.kubernetes.io/last-applied-configuration'];
    if (Object.keys(copy['metadata'].annotations).length === 0) delete copy['metadata'].annotations;
  }
  return copy;
}

/**
 * True when a sync of `desired` (with its tracking annotation) would change `live`, by the server's
 * own dry run. A dry run the server refuses (422: the merge of git over live is invalid) is drift
 * too: were live what git makes, applying git again would be a valid no-op.
 */
export async function serverSaysDrift(client: KubeClient, desired: KubeObject, live: KubeObject): Promise<boolean> {
  let predicted: KubeObject;
  try {
    predicted = await client.apply(desired, { fieldManager: ARGOCD_MANAGER, force: true, dryRun: true });
  } catch (error) {
    if (error instanceof KubeRequestError && error.status === 422) return true;
    throw error;
  }
  return !isDeepStrictEqual(comparable(predicted), comparable(live));
}

/** Deletes an object at once (its finalizers dropped: no controllers run here) and waits until it is gone. */
export async function deleteNow(client: KubeClient, object: KubeObject): Promise<void> {
  const live = await client.get(object);
  if (!live) return;
  if (Array.isArray(live.metadata['finalizers']) && live.metadata['finalizers'].length > 0)
    await client.patch(object, { metadata: { finalizers: null } }, 'test-cleanup');
  if (await client.get(object)) await client.delete(object).catch(() => {});
  for (let i = 0; i < 100 && (await client.get(object)); i++) await new Promise((r) => setTimeout(r, 50));
}

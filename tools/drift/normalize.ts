/**
 * Normalization: strips what the API server, the controllers and Argo CD write on every object
 * (status, identity and bookkeeping metadata, tracking label and annotation), so that only the
 * fields a manifest can set remain, in one form (Secret `stringData` folded into `data`, byte fields in one base64 spelling:
 * tools/kube/stored-bytes.ts).
 */
import type { KubeObject } from '../kube/object.ts';
import { LAST_APPLIED_ANNOTATION } from '../kube/annotations.ts';
import { withStoredBytes } from '../kube/stored-bytes.ts';
import type { Json, JsonObject } from './json.ts';
import { isObject, setField } from './json.ts';

/** Argo CD's default tracking label (`application.instanceLabelKey`). */
const TRACKING_LABEL = 'app.kubernetes.io/instance';
export const TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id';

/** Metadata the API server owns; identity (name, namespace) is settled by pairing, not compared. */
const SERVER_METADATA = new Set([
  'name',
  'namespace',
  'generateName',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'selfLink',
  'managedFields',
  'ownerReferences',
]);

/** Annotations written by the API server, controllers, kubectl or Argo CD, never by our manifests. */
const SERVER_ANNOTATIONS = new Set([
  LAST_APPLIED_ANNOTATION,
  TRACKING_ANNOTATION,
  'deployment.kubernetes.io/revision',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'kubectl.kubernetes.io/restartedAt',
  'endpoints.kubernetes.io/last-change-trigger-time',
  'control-plane.alpha.kubernetes.io/leader',
  'pv.kubernetes.io/bind-completed',
  'pv.kubernetes.io/bound-by-controller',
  'pv.kubernetes.io/provisioned-by',
  'volume.beta.kubernetes.io/storage-provisioner',
  'volume.kubernetes.io/storage-provisioner',
  'volume.kubernetes.io/selected-node',
  'autoscaling.alpha.kubernetes.io/conditions',
  'autoscaling.alpha.kubernetes.io/current-metrics',
]);

/**
 * The map at `parent[key]` without the entries `drop` names; gone if nothing is left. A map that
 * keeps every entry is shared, not copied (most objects carry no server-written label or annotation).
 */
function pruneMap(parent: JsonObject, key: string, drop: (entry: string) => boolean): void {
  const map = parent[key];
  if (!isObject(map)) return;
  const entries = Object.keys(map);
  if (entries.length === 0) {
    delete parent[key];
    return;
  }
  if (!entries.some(drop)) return;
  const kept: JsonObject = {};
  for (const entry of entries) if (!drop(entry)) kept[entry] = map[entry] as Json;
  if (Object.keys(kept).length === 0) delete parent[key];
  else parent[key] = kept;
}

const isTrackingLabel = (label: string): boolean => label === TRACKING_LABEL;
const isServerAnnotation = (annotation: string): boolean => SERVER_ANNOTATIONS.has(annotation);

/** Top-level fields that are never compared: the type is settled by pairing, the status is the server's. */
const UNCOMPARED = new Set(['apiVersion', 'kind', 'status']);

/**
 * The comparable body of a manifest or a live object: what remains once server-owned fields are
 * gone. A shallow copy: nested values are shared with the input, which callers must not mutate
 * (nulls, which mean absent to the API, are skipped by the alignment rather than stripped here).
 */
export function normalizeObject(object: KubeObject): JsonObject {
  const source = withStoredBytes(object) as JsonObject;
  const body: JsonObject = {};
  for (const key of Object.keys(source)) if (!UNCOMPARED.has(key)) setField(body, key, source[key] as Json);
  const from = body['metadata'];
  if (isObject(from)) {
    const metadata: JsonObject = {};
    for (const key of Object.keys(from)) {
      const value = from[key] as Json;
      if (!SERVER_METADATA.has(key) && value !== null) setField(metadata, key, value);
    }
    pruneMap(metadata, 'labels', isTrackingLabel);
    pruneMap(metadata, 'annotations', isServerAnnotation);
    if (Object.keys(metadata).length === 0) delete body['metadata'];
    else body['metadata'] = metadata;
  }
  return body;
}

/** The manifest Argo CD or kubectl last applied with client-side apply, if the live object records one. */
export function lastApplied(live: KubeObject): KubeObject | undefined {
  const text = live.metadata.annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof text !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isObject(parsed)) return undefined;
    return {
      ...parsed,
      apiVersion: live.apiVersion,
      kind: live.kind,
      metadata: { ...(isObject(parsed['metadata']) ? parsed['metadata'] : {}), name: live.metadata.name },
    };
  } catch {
    return undefined;
  }
}

/**
 * The Applications Argo CD tracks an object for: its tracking label, and the app named by its tracking-id annotation
 * (`app:group/kind:ns/name`).
 */
export function trackingApps(object: KubeObject): string[] {
  const apps: string[] = [];
  const label = object.metadata.labels?.[TRACKING_LABEL];
  if (typeof label === 'string') apps.push(label);
  const id = object.metadata.annotations?.[TRACKING_ANNOTATION];
  if (typeof id === 'string') apps.push(id.split(':', 1)[0] ?? '');
  return apps;
}

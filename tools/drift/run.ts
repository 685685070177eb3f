/**
 * `npm run drift` without the printing: the desired objects (an environment's overlays rendered, or
 * objects given), the live ones (a snapshot given, or read from a cluster with one LIST per kind and
 * namespace) and their comparison. The Kubernetes client is loaded only when a cluster is read, so a
 * snapshot comparison starts without it.
 */
import { PART_OF } from '../catalog/names.ts';
import type { KubeObject } from '../kube/object.ts';
import { PART_OF_LABEL } from '../kube/labels.ts';
import { openRenderCache } from '../render/cache.ts';
import { findKustomize } from '../render/kustomize.ts';
import { detectDrift, type DriftOptions, type DriftReport } from './compare.ts';
import { desiredState } from './desired.ts';
import { kubectlGetCommand } from './kubectl.ts';

/** The label selector of every LIST drift makes: the objects of the stack carry `app.kubernetes.io/part-of`. */
export const DRIFT_SELECTOR = `${PART_OF_LABEL}=${PART_OF}`;

/** What git says runs: an environment (its overlays rendered, its Applications read from apps/), or any objects. */
export type DesiredSource = { env: string } | { objects: KubeObject[] };

/** What runs: a saved snapshot, or the cluster a kubeconfig (its current or a named context) points at. */
export type LiveSource = { snapshot: KubeObject[] } | { kubeconfig?: string; context?: string };

/** The cluster could not be read at all: no kind could be listed, and none for a reason the API server gave. */
export class ClusterUnreachableError extends Error {
  override readonly name = 'ClusterUnreachableError';
}

export interface DriftRun {
  report: DriftReport;
  /** When a cluster was read: its API server, how many kinds were to be listed and how many could not be. */
  cluster?: { server: string; kinds: number; unlisted: number };
}

/** The desired objects and the options that say how Argo CD compares them (its Applications, ignoreDifferences, namespace). */
async function desiredOf(root: string, source: DesiredSource): Promise<{ objects: KubeObject[]; options: DriftOptions }> {
  if (!('env' in source)) return { objects: source.objects, options: {} };
  const state = await desiredState(root, await findKustomize(root), source.env, openRenderCache(root));
  return {
    objects: state.objects,
    options: {
      appNames: state.appNames,
      ignoreDifferences: state.ignoreDifferences,
      ...(state.namespace ? { namespace: state.namespace } : {}),
    },
  };
}

/**
 * The `kubectl get … -o json` command line that saves exactly the kinds an environment deploys,
 * label-selected as drift lists them. Errors: those of rendering the environment.
 */
export async function snapshotCommand(root: string, env: string): Promise<string> {
  const { objects } = await desiredOf(root, { env });
  const { listTargetsFor } = await import('./live.ts');
  return kubectlGetCommand(listTargetsFor(objects), DRIFT_SELECTOR);
}

/**
 * Compares desired with live. Reading a cluster, kinds that could not be listed are reported as
 * unreadable (and counted in `cluster`); a cluster from which nothing could be read at all is a
 * ClusterUnreachableError naming its server. Other errors: rendering, kubeconfig (KubeConfigError).
 */
export async function runDrift(root: string, desiredSource: DesiredSource, liveSource: LiveSource): Promise<DriftRun> {
  const { objects: desired, options } = await desiredOf(root, desiredSource);
  if ('snapshot' in liveSource) return { report: detectDrift(desired, liveSource.snapshot, options) };
  const [{ loadKubeConfig }, { listTargetsFor, readLive }] = await Promise.all([import('./kubeconfig.ts'), import('./live.ts')]);
  const kubeConfig = loadKubeConfig(liveSource);
  // Rendered objects carry their namespace; cluster-scoped kinds (Namespace, ClusterRole, …) have none and are listed cluster-wide.
  const targets = listTargetsFor(desired);
  const read = await readLive(kubeConfig, targets, { labelSelector: DRIFT_SELECTOR });
  const server = kubeConfig.getCurrentCluster()?.server ?? 'the cluster';
  if (read.failures.length === targets.length && read.failures.every((f) => f.status === undefined)) {
    throw new ClusterUnreachableError(`cannot read ${server}: ${read.failures[0]?.reason ?? 'no kind could be listed'}`);
  }
  const unreadable = read.failures.map((f) => ({ ...f.target, reason: f.reason }));
  return {
    report: detectDrift(desired, read.objects, { ...options, unreadable }),
    cluster: { server, kinds: targets.length, unlisted: read.failures.length },
  };
}

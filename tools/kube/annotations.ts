/** Annotations other tools write on objects, that every room reads the same way. */
import type { KubeObject } from './object.ts';

/** Where `kubectl apply` (client-side) keeps the manifest it last applied; it holds Secret values too. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Argo CD's resource-hook annotation, and Helm's, which Argo CD honours as a hook too (argo-cd docs/user-guide/resource_hooks.md, helm.md).
 */
const HOOK_ANNOTATIONS: readonly string[] = ['argocd.argoproj.io/hook', 'helm.sh/hook'];

/** True for an Argo CD (or Helm) hook: not part of the desired state a sync keeps, and Argo CD's diff skips it. */
export function isHook(object: KubeObject): boolean {
  const annotations = object.metadata.annotations;
  if (!annotations) return false;
  for (const key of HOOK_ANNOTATIONS) if (typeof annotations[key] === 'string') return true;
  return false;
}

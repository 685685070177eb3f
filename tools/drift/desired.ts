import { expandApplicationSet } from '../argocd/expand.ts';
import { argoObjects } from '../argocd/app-files.ts';
import type { KubeObject } from '../kube/object.ts';
import type { Kustomize } from '../render/kustomize.ts';
import type { RenderCache } from '../render/cache.ts';
import { workingTree } from '../git/checkout.ts';
import { listOverlays, renderOverlays } from '../render/overlays.ts';
import type { IgnoreDifference } from './types.ts';

export class DesiredStateError extends Error {
  override readonly name = 'DesiredStateError';
}

/** What git says an environment runs, and how Argo CD is told to compare it. */
export interface DesiredState {
  objects: KubeObject[];
  /** The environment's Applications: a live object counts as ours only if Argo CD tracks it for one of them. */
  appNames: string[];
  ignoreDifferences: IgnoreDifference[];
  namespace?: string;
}

/**
 * Renders `overlays/<env>/*` (through the render cache, when given) and reads the environment's Applications from `apps/` (YAML only, no
 * code run).
 */
export async function desiredState(root: string, kustomize: Kustomize, env: string, cache?: RenderCache): Promise<DesiredState> {
  const all = await listOverlays(root);
  const overlays = all.filter((o) => o.env === env);
  if (overlays.length === 0) {
    throw new DesiredStateError(
      `environment "${env}" has no overlays under overlays/; environments: ${[...new Set(all.map((o) => o.env))].join(', ') || 'none'}`,
    );
  }
  const tree = await renderOverlays(root, kustomize, overlays, cache ? { cache } : {});
  const applications = argoObjects(await workingTree(root).appFiles())
    .filter((o) => o.kind === 'ApplicationSet')
    .flatMap((appset) => expandApplicationSet(appset))
    .filter((app) => overlays.some((o) => o.dir === app.path));
  return {
    objects: tree.apps.flatMap((a) => a.objects),
    appNames: applications.map((a) => a.name),
    ignoreDifferences: applications.flatMap((a) =>
      ((a.application['spec'] as { ignoreDifferences?: IgnoreDifference[] }).ignoreDifferences ?? []).map((rule, index) => ({
        ...rule,
        application: a.name,
        index,
      })),
    ),
    ...(applications[0]?.destination.namespace ? { namespace: applications[0].destination.namespace } : {}),
  };
}

import { fileURLToPath } from 'node:url';
import { findKustomize } from '../../tools/render/kustomize.ts';
import { listOverlays, renderOverlays } from '../../tools/render/overlays.ts';
import type { RenderedApp, RenderedTree } from '../../tools/render/tree.ts';

/** The repository this test suite belongs to. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

let committed: Promise<RenderedTree> | undefined;

/** Every committed overlay rendered by the real kustomize (once per test file). */
export function renderCommitted(): Promise<RenderedTree> {
  committed ??= findKustomize().then(async (k) => renderOverlays(REPO_ROOT, k, await listOverlays(REPO_ROOT)));
  return committed;
}

export function app(tree: RenderedTree, env: string, component: string): RenderedApp {
  const found = tree.apps.find((a) => a.env === env && a.component === component);
  if (!found) throw new Error(`no rendered overlay ${env}/${component}`);
  return found;
}

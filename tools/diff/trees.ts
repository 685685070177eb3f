import { catalog as currentCatalog, type Catalog } from '../catalog/index.ts';
import { argoObjects } from '../check/run.ts';
import { readOutputTree } from '../generate/disk.ts';
import { generate } from '../generate/index.ts';
import { compareWithDisk } from '../generate/stale.ts';
import type { Kustomize } from '../render/kustomize.ts';
import { listOverlays, renderOverlaysHashed, type RenderOptions } from '../render/overlays.ts';
import type { RenderedTree } from '../render/tree.ts';
import type { KubeObject } from '../kube/object.ts';

/** One side of a diff: the rendered overlays of a checkout and its components' waves. */
export interface DiffSide {
  tree: RenderedTree;
  waves: Record<string, number>;
}

/** Waves as the checkout's ApplicationSets declare them (data read from YAML, no code of the checkout run). */
function wavesOf(objects: ReturnType<typeof argoObjects>): Record<string, number> {
  const waves: Record<string, number> = {};
  for (const appset of objects.filter((o) => o.kind === 'ApplicationSet')) {
    const generators = ((appset['spec'] as { generators?: { list?: { elements?: { component?: string; wave?: string }[] } }[] }).generators ?? []);
    for (const element of generators.flatMap((g) => g.list?.elements ?? [])) {
      if (element.component && element.wave !== undefined) waves[element.component] = Number(element.wave);
    }
  }
  return waves;
}

/** One side of a diff with each overlay's input hash, so the other side can reuse its renders. */
export interface HashedSide extends DiffSide {
  hashes: Map<string, string>;
}

/**
 * Renders every overlay of a checkout with kustomize; reads the checkout's YAML only, never runs its code.
 * Overlays whose input hash is in `options.known` are taken from there, not rendered again.
 */
export async function renderSide(dir: string, kustomize: Kustomize, options: RenderOptions = {}): Promise<HashedSide> {
  const { tree, hashes } = await renderOverlaysHashed(dir, kustomize, await listOverlays(dir), options);
  return { tree, hashes, waves: wavesOf(argoObjects(await readOutputTree(dir))) };
}

/** The renders of a side by input hash: what the other side of the diff may reuse. */
export function rendersByHash(side: HashedSide): Map<string, KubeObject[]> {
  const known = new Map<string, KubeObject[]>();
  for (const app of side.tree.apps) {
    const hash = side.hashes.get(app.dir);
    if (hash) known.set(hash, app.objects);
  }
  return known;
}

/** Generated files of the working tree that its own catalog would generate differently. */
export async function staleFiles(dir: string, catalog: Catalog = currentCatalog): Promise<string[]> {
  return compareWithDisk(generate(catalog), await readOutputTree(dir)).stale.map((s) => s.path);
}

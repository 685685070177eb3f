import { catalog as currentCatalog, type Catalog } from '../catalog/index.ts';
import { argoObjects } from '../check/run.ts';
import { readOutputTree } from '../generate/disk.ts';
import { generate } from '../generate/index.ts';
import { compareWithDisk } from '../generate/stale.ts';
import type { Kustomize } from '../render/kustomize.ts';
import { listOverlays, renderOverlays } from '../render/overlays.ts';
import type { RenderedTree } from '../render/tree.ts';

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

/** Renders every overlay of a checkout with kustomize; reads the checkout's YAML only, never runs its code. */
export async function renderSide(dir: string, kustomize: Kustomize): Promise<DiffSide> {
  const tree = await renderOverlays(dir, kustomize, await listOverlays(dir));
  return { tree, waves: wavesOf(argoObjects(await readOutputTree(dir))) };
}

/** Generated files of the working tree that its own catalog would generate differently. */
export async function staleFiles(dir: string, catalog: Catalog = currentCatalog): Promise<string[]> {
  return compareWithDisk(generate(catalog), await readOutputTree(dir)).stale.map((s) => s.path);
}

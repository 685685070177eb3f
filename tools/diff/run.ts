import { resolveRef, withWorktree } from '../git/worktree.ts';
import type { Kustomize } from '../render/kustomize.ts';
import { diffTrees, type DiffReport } from './engine.ts';
import type { RenderCache } from '../render/cache.ts';
import { rendersByHash, renderSide, staleFiles } from './trees.ts';

export interface RefDiff {
  baseSha: string;
  /** A full SHA, or `working tree`. */
  headSha: string;
  report: DiffReport;
}

export interface DiffOptions {
  /** Renders of both sides are looked up here first and written here. */
  cache?: RenderCache;
  onProgress?: (side: 'base' | 'head', done: number, total: number) => void;
}

/**
 * Renders the base ref (in a temporary worktree) and the head (a ref, or the working tree) and diffs
 * the rendered objects. Only YAML of the refs is read; none of their code runs. The head is rendered
 * first; a base overlay whose inputs hash equal to the head's reuses the head's render.
 */
export async function diffRefs(root: string, kustomize: Kustomize, base: string, head?: string, options: DiffOptions = {}): Promise<RefDiff> {
  const baseSha = await resolveRef(root, base);
  const headSha = head ? await resolveRef(root, head) : 'working tree';
  const sideOptions = (side: 'base' | 'head') => ({
    ...(options.cache ? { cache: options.cache } : {}),
    ...(options.onProgress ? { onProgress: (done: number, total: number) => options.onProgress?.(side, done, total) } : {}),
  });
  const headSide = head ? await withWorktree(root, headSha, (dir) => renderSide(dir, kustomize, sideOptions('head'))) : await renderSide(root, kustomize, sideOptions('head'));
  const baseSide = await withWorktree(root, baseSha, (dir) => renderSide(dir, kustomize, { ...sideOptions('base'), known: rendersByHash(headSide) }));
  // Only the working tree's own catalog is at hand to regenerate; a head ref is judged by its committed files.
  const stale = head ? [] : await staleFiles(root);
  const report = diffTrees({ base: baseSide.tree, head: headSide.tree, baseWaves: baseSide.waves, headWaves: headSide.waves, staleFiles: stale });
  return { baseSha, headSha, report };
}

import { resolveRef, withWorktree } from '../git/worktree.ts';
import type { Kustomize } from '../render/kustomize.ts';
import { diffTrees, type DiffReport } from './engine.ts';
import { renderSide, staleFiles } from './trees.ts';

export interface RefDiff {
  baseSha: string;
  /** A full SHA, or `working tree`. */
  headSha: string;
  report: DiffReport;
}

/**
 * Renders the base ref (in a temporary worktree) and the head (a ref, or the working tree) and diffs
 * the rendered objects. Only YAML of the refs is read; none of their code runs.
 */
export async function diffRefs(root: string, kustomize: Kustomize, base: string, head?: string): Promise<RefDiff> {
  const baseSha = await resolveRef(root, base);
  const headSha = head ? await resolveRef(root, head) : 'working tree';
  const [baseSide, headSide] = await Promise.all([
    withWorktree(root, baseSha, (dir) => renderSide(dir, kustomize)),
    head ? withWorktree(root, headSha, (dir) => renderSide(dir, kustomize)) : renderSide(root, kustomize),
  ]);
  // Only the working tree's own catalog is at hand to regenerate; a head ref is judged by its committed files.
  const stale = head ? [] : await staleFiles(root);
  const report = diffTrees({ base: baseSide.tree, head: headSide.tree, baseWaves: baseSide.waves, headWaves: headSide.waves, staleFiles: stale });
  return { baseSha, headSha, report };
}

import { resolveRef } from '../git/worktree.ts';
import type { RenderCache } from '../render/cache.ts';
import type { Checkout, OverlayRef } from '../git/checkout.ts';
import type { Kustomize } from '../render/kustomize.ts';
import { hashOverlays, renderHashed, type HashedOverlay } from '../render/overlays.ts';
import type { KubeObject } from '../kube/object.ts';
import { diffTrees, type DiffReport } from './engine.ts';
import { staleFiles, wavesOf, withCheckout } from './trees.ts';

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

/** A side's overlays and their input hashes. */
interface Hashed {
  checkout: Checkout;
  overlays: OverlayRef[];
  hashed: Map<string, HashedOverlay>;
}

/** The overlays of `side` whose inputs differ from the other side's (or that the other side lacks). */
function changed(side: Hashed, other: Hashed): OverlayRef[] {
  return side.overlays.filter((o) => side.hashed.get(o.dir)?.hash !== other.hashed.get(o.dir)?.hash);
}

/**
 * Diffs the rendered objects of the base ref and the head (a ref, or the working tree). Both sides
 * are hashed from the kustomization graph first; only overlays whose inputs differ are rendered (or
 * taken from the cache) and compared, as equal inputs render equal objects. Refs are read from
 * git's objects, not checked out; only YAML is read, none of their code runs.
 */
export async function diffRefs(root: string, kustomize: Kustomize, base: string, head?: string, options: DiffOptions = {}): Promise<RefDiff> {
  const baseSha = await resolveRef(root, base);
  const headSha = head ? await resolveRef(root, head) : 'working tree';
  // The working tree's files get the same kind of id as the repository's blobs, so equal files hash equal.
  const format = baseSha.length === 64 ? 'sha256' : 'sha1';
  const memo = options.cache?.readRefs() ?? new Map();
  const parsed = memo.size;
  const hash = async (checkout: Checkout): Promise<Hashed> => {
    const overlays = await checkout.listOverlays();
    return { checkout, overlays, hashed: await hashOverlays(checkout, overlays, memo) };
  };
  const report = await withCheckout(root, head ? headSha : undefined, format, (headCheckout) =>
    withCheckout(root, baseSha, format, async (baseCheckout) => {
      const [headSide, baseSide] = [await hash(headCheckout), await hash(baseCheckout)];
      const render = (side: Hashed, overlays: OverlayRef[], name: 'base' | 'head', known?: Map<string, KubeObject[]>) =>
        renderHashed(side.checkout, kustomize, overlays, side.hashed, {
          ...(options.cache ? { cache: options.cache } : {}),
          ...(known ? { known } : {}),
          ...(options.onProgress ? { onProgress: (done: number, total: number) => options.onProgress?.(name, done, total) } : {}),
        });
      const headApps = await render(headSide, changed(headSide, baseSide), 'head');
      // A base overlay whose inputs equal some head overlay's (a file moved back, say) reuses that render.
      const known = new Map(headApps.map((app) => [headSide.hashed.get(app.dir)?.hash ?? '', app.objects]));
      const baseApps = await render(baseSide, changed(baseSide, headSide), 'base', known);
      if (options.cache && memo.size > parsed) await options.cache.writeRefs(memo);
      const headChanged = new Set(headApps.map((app) => app.dir));
      return diffTrees({
        base: { apps: baseApps },
        head: { apps: headApps },
        unchanged: headSide.overlays.filter((o) => !headChanged.has(o.dir)),
        baseWaves: await wavesOf(baseCheckout),
        headWaves: await wavesOf(headCheckout),
        // Only the working tree's own catalog is at hand to regenerate; a head ref is judged by its committed files.
        staleFiles: head ? [] : await staleFiles(root),
      });
    }),
  );
  return { baseSha, headSha, report };
}

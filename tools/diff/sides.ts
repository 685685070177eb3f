/**
 * Both sides of a diff hashed from what changed between them: the base's walk of each overlay's
 * kustomization graph (walks.ts, kept per commit) names every path the walk's answer depends on, and
 * git names the paths that differ (tools/git/changes.ts). An overlay whose walk asked about no
 * changed path has the same inputs with the same content ids on both sides, so the same hash: it is
 * neither walked nor hashed again. Only the others are walked on the head and hashed on each side,
 * and compared by hash. The other hashes of the head are computed when an overlay is rendered.
 */
import { mapLimited } from '../concurrency.ts';
import type { Changes } from '../git/changes.ts';
import type { Checkout, OverlayRef } from '../git/checkout.ts';
import { hashInputs, overlayInputs, type OverlayInputs, type RefsMemo } from '../render/graph.ts';
import type { HashedOverlay } from '../render/overlays.ts';
import { walkOverlays, type Walk, type Walks } from './walks.ts';

/** One side of a diff: its overlays, each overlay's inputs, and the input hashes known so far. */
export interface Side {
  checkout: Checkout;
  overlays: OverlayRef[];
  /** The inputs of every overlay of the side. */
  inputs: ReadonlyMap<string, OverlayInputs>;
  /** Input hashes by overlay directory: at least those of the changed overlays; `withHashes` adds others. */
  hashed: Map<string, HashedOverlay>;
}

export interface HashedSides {
  head: Side;
  base: Side;
  /** The head's overlays whose inputs hash differently on the base side, or that the base lacks. */
  headChanged: OverlayRef[];
  /** The base's overlays whose inputs hash differently on the head side, or that the head lacks. */
  baseChanged: OverlayRef[];
}

/** Reading files and waiting on git: many overlays at once (as tools/render/overlays.ts hashes). */
const IO_PARALLELISM = 32;

/**
 * Hashes both sides (`memo`: kustomization files parsed, by content id, graph.ts) from the base's
 * walks (walks.ts: every base overlay's, as `walkOverlays` finds them) and what changed between the
 * sides (`changes`, from git): an overlay of both whose base walk asked about nothing the changes
 * touch has the same inputs and hash on both, unwalked and unhashed; the others are walked on the
 * head and hashed on both sides. The changed lists are those a full hash of each side gives.
 */
export async function hashSides(head: Checkout, base: Checkout, memo: RefsMemo, walks: Walks, changes: Changes): Promise<HashedSides> {
  const [headOverlays, baseOverlays] = await Promise.all([head.listOverlays(), base.listOverlays()]);
  const baseWalk = (dir: string): Walk | undefined => walks.get(dir);
  const alike = alikeOverlays(headOverlays, baseOverlays, base, walks, changes);
  const walked = await walkOverlays(
    head,
    headOverlays.filter((overlay) => !alike.has(overlay.dir)),
    memo,
  );
  const headInputs = new Map(
    headOverlays.map((overlay) => [overlay.dir, (walked.get(overlay.dir) ?? baseWalk(overlay.dir))?.inputs as OverlayInputs]),
  );
  const baseInputs = new Map(
    baseOverlays.flatMap((overlay) => {
      const walk = baseWalk(overlay.dir);
      return walk ? [[overlay.dir, walk.inputs] as const] : [];
    }),
  );
  const differing = (overlays: readonly OverlayRef[]) => overlays.filter((overlay) => !alike.has(overlay.dir));
  const [headSide, baseSide] = await Promise.all([
    withHashes({ checkout: head, overlays: headOverlays, inputs: headInputs, hashed: new Map() }, differing(headOverlays)),
    withHashes({ checkout: base, overlays: baseOverlays, inputs: baseInputs, hashed: new Map() }, differing(baseOverlays)),
  ]);
  const differs = (side: Side, other: Side) => (overlay: OverlayRef) =>
    !alike.has(overlay.dir) && side.hashed.get(overlay.dir)?.hash !== other.hashed.get(overlay.dir)?.hash;
  return {
    head: headSide,
    base: baseSide,
    headChanged: headOverlays.filter(differs(headSide, baseSide)),
    baseChanged: baseOverlays.filter(differs(baseSide, headSide)),
  };
}

/**
 * The overlays of both sides whose base walk asked about no path `changes` touch. An overlay of one
 * side only differs, whatever its walk asked (a folder without a kustomization file is walked
 * without asking about the files it held). None when the base may hold symbolic links (its source
 * answers `outside`): a walk names a path as it asked it, through the link, while git names the
 * link's target when that changes.
 */
function alikeOverlays(
  headOverlays: readonly OverlayRef[],
  baseOverlays: readonly OverlayRef[],
  base: Checkout,
  walks: Walks,
  changes: Changes,
): Set<string> {
  if (base.source.outside) return new Set();
  const inHead = new Set(headOverlays.map((overlay) => overlay.dir));
  const onBoth = new Set(baseOverlays.filter((overlay) => inHead.has(overlay.dir)).map((overlay) => overlay.dir));
  return new Set([...walks.untouched(changes)].filter((dir) => onBoth.has(dir)));
}

/** `side`, with the input hashes of `overlays` added where missing (from their inputs, walked again only if unknown). */
export async function withHashes(side: Side, overlays: readonly OverlayRef[]): Promise<Side> {
  const missing = overlays.filter((overlay) => !side.hashed.has(overlay.dir));
  const hashes = await mapLimited(
    missing,
    async (overlay) => {
      const inputs = side.inputs.get(overlay.dir) ?? (await overlayInputs(side.checkout.source, overlay.dir));
      return { inputs, hash: await hashInputs(side.checkout.source, inputs) };
    },
    IO_PARALLELISM,
  );
  missing.forEach((overlay, index) => side.hashed.set(overlay.dir, hashes[index] as HashedOverlay));
  return side;
}

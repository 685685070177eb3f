/**
 * Both sides of a diff hashed with one walk of each overlay's kustomization graph: the head's walk
 * asks the base every question too. The walk (tools/render/graph.ts `overlayInputs`) is a function of
 * the answers its source gives (an entry's kind, a file's content id and bytes, a directory's files,
 * whether a path leads outside), and `hashInputs` of the inputs and their content ids. So an overlay
 * for which every answer and every input's id is the same on both sides has the same inputs and the
 * same hash on both: the base's walk would find nothing else. Only the overlays where something
 * differs are walked and hashed on each side, and compared by hash as before. The other hashes of the
 * head are computed when an overlay is rendered.
 */
import { mapLimited } from '../concurrency.ts';
import type { Checkout, OverlayRef } from '../git/checkout.ts';
import type { InputSource } from '../git/source.ts';
import { hashInputs, overlayInputs, type OverlayInputs, type RefsMemo } from '../render/graph.ts';
import { hashOverlays, type HashedOverlay } from '../render/overlays.ts';

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

/** Content ids of both sides, each path compared once. */
class SameIds {
  private readonly known = new Map<string, boolean>();
  private readonly head: InputSource;
  private readonly base: InputSource;

  constructor(head: InputSource, base: InputSource) {
    this.head = head;
    this.base = base;
  }

  /** Whether `path` has the same content id on both sides, when that is known without reading a file. */
  sameNow(path: string): boolean | undefined {
    let same = this.known.get(path);
    if (same === undefined) {
      // Ids both sides hold without reading (a commit's tree, git's index) answer at once.
      const [id, other] = [this.head.knownId?.(path), this.base.knownId?.(path)];
      if (id === undefined || other === undefined) return undefined;
      same = id === other;
      this.known.set(path, same);
    }
    return same;
  }

  /** Whether `path` has the same content id on both sides (both unreadable counts as the same). */
  async same(path: string): Promise<boolean> {
    let same = this.sameNow(path);
    if (same === undefined) {
      same = (await this.head.contentId(path)) === (await this.base.contentId(path));
      this.known.set(path, same);
    }
    return same;
  }
}

/** `head`'s answers; `differ` is called when `base` answers the same question otherwise. */
function comparing(head: InputSource, base: InputSource, ids: SameIds, differ: () => void): InputSource {
  const compare = async (path: string): Promise<void> => {
    if (!(await ids.same(path))) differ();
  };
  return {
    kind(path) {
      const kind = head.kind(path);
      if (kind !== base.kind(path)) differ();
      return kind;
    },
    async contentId(path) {
      await compare(path);
      return head.contentId(path);
    },
    // A file's bytes are what its content id names.
    async bytes(path) {
      await compare(path);
      return head.bytes(path);
    },
    async filesUnder(dir) {
      const files = await head.filesUnder(dir);
      if (files.join('\0') !== (await base.filesUnder(dir)).join('\0')) differ();
      return files;
    },
    // A source without `outside` has no path leading out: the walk reads its absence as false.
    outside(path) {
      const outside = head.outside?.(path) ?? false;
      if (outside !== (base.outside?.(path) ?? false)) differ();
      return outside;
    },
  };
}

/**
 * Hashes both sides (`memo`: kustomization files parsed, by content id, graph.ts): one walk per
 * overlay on both, then a walk of the base only where an answer or an input's content id differs.
 * The changed lists are those a full hash of each side gives.
 */
export async function hashSides(head: Checkout, base: Checkout, memo: RefsMemo): Promise<HashedSides> {
  const [headOverlays, baseOverlays] = await Promise.all([head.listOverlays(), base.listOverlays()]);
  const onBase = new Set(baseOverlays.map((overlay) => overlay.dir));
  const ids = new SameIds(head.source, base.source);
  const walked = await mapLimited(
    headOverlays,
    async (overlay) => {
      if (!onBase.has(overlay.dir)) return { inputs: await overlayInputs(head.source, overlay.dir, memo), same: false };
      let same = true;
      const inputs = await overlayInputs(
        comparing(head.source, base.source, ids, () => (same = false)),
        overlay.dir,
        memo,
      );
      // hashInputs reads each input's content id: equal ids, equal hashes.
      for (const path of inputs.files) if (same && !(ids.sameNow(path) ?? (await ids.same(path)))) same = false;
      return { inputs, same };
    },
    IO_PARALLELISM,
  );
  const alike = new Set(headOverlays.filter((_, index) => walked[index]?.same).map((overlay) => overlay.dir));
  const headInputs = new Map(headOverlays.map((overlay, index) => [overlay.dir, walked[index]?.inputs as OverlayInputs]));
  const headSide = await withHashes(
    { checkout: head, overlays: headOverlays, inputs: headInputs, hashed: new Map() },
    headOverlays.filter((overlay) => !alike.has(overlay.dir)),
  );
  const baseHashed = await hashOverlays(
    base,
    baseOverlays.filter((overlay) => !alike.has(overlay.dir)),
    memo,
  );
  const baseInputs = new Map(
    baseOverlays.map((overlay) => [overlay.dir, baseHashed.get(overlay.dir)?.inputs ?? (headInputs.get(overlay.dir) as OverlayInputs)]),
  );
  const baseSide: Side = { checkout: base, overlays: baseOverlays, inputs: baseInputs, hashed: baseHashed };
  const differs = (side: Side, other: Side) => (overlay: OverlayRef) =>
    !alike.has(overlay.dir) && side.hashed.get(overlay.dir)?.hash !== other.hashed.get(overlay.dir)?.hash;
  return {
    head: headSide,
    base: baseSide,
    headChanged: headOverlays.filter(differs(headSide, baseSide)),
    baseChanged: baseOverlays.filter(differs(baseSide, headSide)),
  };
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

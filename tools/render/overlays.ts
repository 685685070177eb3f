import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { limiter, mapLimited } from '../concurrency.ts';
import type { KubeObject } from '../kube/object.ts';
import { parseObjects, parseObjectsKnown } from '../yaml.ts';
import { cacheKey, type RenderCache } from './cache.ts';
import { listOverlays, openWorkingTree, workingTree, type Checkout, type OverlayRef } from '../git/checkout.ts';
import { batchKeys, planBatches, renderBatchText, type BatchableMemo } from './batch.ts';
import { hashInputs, overlayInputs, type OverlayInputs, type RefsMemo } from './graph.ts';
import { renderText, RenderError, type Kustomize } from './kustomize.ts';
import type { InputSource } from '../git/source.ts';
import type { RenderedApp, RenderedTree } from './tree.ts';

export { listOverlays, type OverlayRef } from '../git/checkout.ts';

/** Resolves command-line overlay arguments (`overlays/prod/loki`, a path, or `prod` for all of an env). */
export async function resolveOverlays(root: string, args: readonly string[]): Promise<OverlayRef[]> {
  const all = await listOverlays(root);
  if (args.length === 0) return all;
  const chosen: OverlayRef[] = [];
  for (const arg of args) {
    const rel = relative(root, resolve(root, arg)).split(sep).join('/');
    const matches = all.filter((o) => o.dir === rel || o.dir.startsWith(`${rel}/`) || o.env === arg);
    if (matches.length === 0) {
      const isDir = await stat(resolve(root, arg)).then(
        (s) => s.isDirectory(),
        () => false,
      );
      throw new RenderError(
        `${arg}: ${isDir ? 'not an overlay directory (expected overlays/<env>/<component>)' : 'no such overlay'}; overlays: ${all.map((o) => o.dir).join(', ')}`,
      );
    }
    for (const match of matches) if (!chosen.includes(match)) chosen.push(match);
  }
  return chosen;
}

export interface RenderOptions {
  /** Renders found here are not rendered again; new renders are written to it. */
  cache?: RenderCache;
  /** Renders already at hand, by input hash (e.g. the other side of a diff): reused, not rendered again. */
  known?: ReadonlyMap<string, KubeObject[]>;
  /**
   * kustomize runs already started on the checkout's files where `materialize` puts them (renderText), by
   * overlay directory: an overlay that is neither known, cached nor refused takes its text instead of starting another.
   */
  started?: ReadonlyMap<string, Promise<string>>;
  /**
   * Documents parsed before, by the sha256 of their text (tools/yaml.ts parseObjectsKnown): a rendered
   * document found in `known` is not parsed again, and every document rendered here is put in `learnt`.
   */
  documents?: { known: ReadonlyMap<string, readonly KubeObject[]>; learnt: Map<string, readonly KubeObject[]> };
  /**
   * When given, the cache writes of new renders are put here instead of awaited before the renders are
   * returned: the caller awaits them (a write that fails rejects with RenderCacheError).
   */
  writes?: Promise<void>[];
  /** Called after each overlay is done (rendered, cached or reused). */
  onProgress?: (done: number, total: number) => void;
  /**
   * When given, an overlay that cannot be rendered (or whose references are refused) is passed here
   * and given no objects, instead of failing the whole render.
   */
  onFailure?: (overlay: OverlayRef, error: RenderError) => void;
}

/** An overlay's input files and their content hash (graph.ts). */
export interface HashedOverlay {
  inputs: OverlayInputs;
  hash: string;
}

/** A rendered tree with each overlay's input hash, by overlay directory. */
export interface HashedTree {
  tree: RenderedTree;
  hashes: Map<string, string>;
}

/** Hashing reads files and may wait on git: many overlays at once. */
const IO_PARALLELISM = 32;

function renderFailure(dir: string, overlay: OverlayRef, error: unknown): RenderError {
  const reason = error instanceof Error ? error.message.replace(`${join(dir, overlay.dir)}: `, '') : String(error);
  return new RenderError(`${overlay.dir}: ${reason}`, { cause: error });
}

/**
 * The input hash of each overlay. Kustomization files already parsed (by this run, or by earlier
 * ones through `memo`) are not parsed again: their content id says they are the same.
 */
export async function hashOverlays(
  checkout: Checkout,
  overlays: readonly OverlayRef[],
  memo: RefsMemo = new Map(),
): Promise<Map<string, HashedOverlay>> {
  const hashed = await mapLimited(
    overlays,
    async (overlay) => {
      const inputs = await overlayInputs(checkout.source, overlay.dir, memo);
      return { inputs, hash: await hashInputs(checkout.source, inputs) };
    },
    IO_PARALLELISM,
  );
  return new Map(overlays.map((overlay, index) => [overlay.dir, hashed[index] as HashedOverlay]));
}

/**
 * The refusal of an overlay whose kustomization graph names a URL or a path outside the repository
 * (graph.ts): one line naming the overlay and the first reference, before kustomize runs.
 */
export function refusal(overlay: OverlayRef, inputs: OverlayInputs | undefined): RenderError | undefined {
  const refused = inputs?.refused ?? [];
  if (refused.length === 0) return undefined;
  const more = refused.length > 1 ? ` (and ${refused.length - 1} more reference(s) refused)` : '';
  return new RenderError(`${overlay.dir}: reference refused: ${refused[0]}${more}`);
}

/** The first refusal among `overlays`, thrown. */
export function refuseEscapes(overlays: readonly OverlayRef[], inputsOf: (overlay: OverlayRef) => OverlayInputs | undefined): void {
  for (const overlay of overlays) {
    const refused = refusal(overlay, inputsOf(overlay));
    if (refused) throw refused;
  }
}

/**
 * Waits for every task, then throws the first failure in task order: no kustomize process is left
 * running (or writing to the cache) after a render fails, and the error named is always the same.
 */
async function settled(tasks: readonly Promise<unknown>[]): Promise<void> {
  const failure = (await Promise.allSettled(tasks)).find((outcome) => outcome.status === 'rejected');
  if (failure) throw failure.reason;
}

/** The most overlays one kustomize process renders: a failing batch costs its overlays a second process each. */
const MAX_BATCH = 25;

/**
 * Groups the overlays to render into batches (batch.ts): enough batches to keep every core busy, at
 * most MAX_BATCH overlays each, and only overlays that may share a process; the others are batches of one.
 */
export async function planRender(
  source: InputSource,
  overlays: readonly OverlayRef[],
  inputs: ReadonlyMap<string, OverlayInputs>,
): Promise<OverlayRef[][]> {
  const maxSize = Math.min(MAX_BATCH, Math.ceil(overlays.length / availableParallelism()));
  const memo: BatchableMemo = new Map();
  const keys = new Map<string, string[] | undefined>();
  if (maxSize >= 2)
    for (const overlay of overlays) keys.set(overlay.dir, await batchKeys(source, inputs.get(overlay.dir) as OverlayInputs, memo));
  return planBatches(overlays, (overlay) => keys.get(overlay.dir), maxSize);
}

/**
 * Renders overlays with the real kustomize, as many processes at once as there are cores, several
 * overlays per process where batch.ts proves that changes no byte (a failing batch is rendered again
 * one overlay per process, so errors name their overlay); an overlay whose input hash is known or
 * cached is not rendered again. Each process's output is parsed and cached after its slot is given
 * to the next batch, so kustomize never waits on us.
 */
export async function renderHashed(
  checkout: Checkout,
  kustomize: Kustomize,
  overlays: readonly OverlayRef[],
  hashed: ReadonlyMap<string, HashedOverlay>,
  options: RenderOptions = {},
): Promise<RenderedApp[]> {
  let done = 0;
  const finish = (): void => options.onProgress?.(++done, overlays.length);
  const hashOf = (overlay: OverlayRef): string => hashed.get(overlay.dir)?.hash ?? '';
  const found = await Promise.all(
    overlays.map(async (overlay) => {
      const objects = options.known?.get(hashOf(overlay)) ?? (await options.cache?.get(cacheKey(kustomize.version, hashOf(overlay))));
      if (objects) finish();
      return objects;
    }),
  );
  const failed = (overlay: OverlayRef, error: RenderError): void => {
    if (!options.onFailure) throw error;
    options.onFailure(overlay, error);
    finish();
  };
  const missing = overlays.filter((_, index) => !found[index]);
  const inputs = new Map(
    await mapLimited(
      missing,
      async (overlay) => [overlay.dir, hashed.get(overlay.dir)?.inputs ?? (await overlayInputs(checkout.source, overlay.dir))] as const,
      IO_PARALLELISM,
    ),
  );
  // Nothing a refused overlay names is written out or handed to kustomize.
  const refused = new Map(
    missing.flatMap((overlay) => {
      const error = refusal(overlay, inputs.get(overlay.dir));
      return error ? [[overlay.dir, error] as const] : [];
    }),
  );
  if (!options.onFailure && refused.size > 0) throw [...refused.values()][0];
  for (const overlay of missing) {
    const error = refused.get(overlay.dir);
    if (error) failed(overlay, error);
  }
  const running = missing.filter((o) => !refused.has(o.dir) && options.started?.has(o.dir));
  const renderable = missing.filter((o) => !refused.has(o.dir) && !options.started?.has(o.dir));
  const dir =
    renderable.length + running.length > 0
      ? await checkout.materialize([...new Set([...running, ...renderable].flatMap((o) => inputs.get(o.dir)?.files ?? []))])
      : '';
  const slot = limiter(availableParallelism());
  const rendered = new Map<string, KubeObject[]>();
  const keep = async (overlay: OverlayRef, text: () => Promise<string>): Promise<void> => {
    let objects: KubeObject[];
    try {
      const source = `kustomize build ${overlay.dir}`;
      const documents = options.documents;
      objects = documents ? parseObjectsKnown(await text(), source, documents.known, documents.learnt) : parseObjects(await text(), source);
    } catch (error) {
      failed(overlay, renderFailure(dir, overlay, error));
      return;
    }
    const write = options.cache?.put(cacheKey(kustomize.version, hashOf(overlay)), objects);
    if (options.writes && write) {
      write.catch(() => undefined); // the caller awaits it with the others
      options.writes.push(write);
    } else await write;
    rendered.set(overlay.dir, objects);
    finish();
  };
  const alone = (overlay: OverlayRef): Promise<void> => keep(overlay, () => slot(() => renderText(kustomize, join(dir, overlay.dir))));
  const taken = running.map((overlay) => keep(overlay, () => options.started?.get(overlay.dir) as Promise<string>));
  await settled([
    ...taken,
    ...(await planRender(checkout.source, renderable, inputs)).map(async (batch) => {
      if (batch.length === 1) return alone(batch[0] as OverlayRef);
      const texts = await slot(() =>
        renderBatchText(
          kustomize,
          dir,
          batch.map((o) => ({ dir: o.dir, inputs: inputs.get(o.dir) as OverlayInputs })),
        ),
      ).catch(() => undefined);
      if (!texts) return settled(batch.map(alone));
      for (const overlay of batch) await keep(overlay, async () => texts.get(overlay.dir) ?? '');
    }),
  ]);
  return overlays.map((overlay, index): RenderedApp => ({ ...overlay, objects: found[index] ?? rendered.get(overlay.dir) ?? [] }));
}

/** Hashes and renders the overlays of a checkout; the cache's table of parsed kustomizations is kept up to date. */
async function renderCheckout(
  checkout: Checkout,
  kustomize: Kustomize,
  overlays: readonly OverlayRef[],
  options: RenderOptions = {},
): Promise<HashedTree> {
  const memo = options.cache?.readRefs() ?? new Map();
  const known = memo.size;
  const hashed = await hashOverlays(checkout, overlays, memo);
  const apps = await renderHashed(checkout, kustomize, overlays, hashed, options);
  if (options.cache && memo.size > known) await options.cache.writeRefs(memo);
  return { tree: { apps }, hashes: new Map([...hashed].map(([dir, h]) => [dir, h.hash])) };
}

/**
 * Renders overlays of the working tree at `root` with the real kustomize (renderHashed), as many
 * processes at once as there are cores. Every overlay's kustomization graph is walked first: a URL
 * or a path leaving the repository is refused (RenderError) before kustomize runs.
 */
export async function renderOverlays(
  root: string,
  kustomize: Kustomize,
  overlays: readonly OverlayRef[],
  options: RenderOptions = {},
): Promise<RenderedTree> {
  if (options.cache || options.known) return (await renderCheckout(await openWorkingTree(root), kustomize, overlays, options)).tree;
  // Nothing to look up: no hashing, only the inputs that containment and batching need.
  const apps = await renderHashed(workingTree(root), kustomize, overlays, new Map(), options);
  return { apps };
}
